from __future__ import annotations

# Moved to opsboard.tenancy; kept importable here only until tenancy-rewrite.py rewrites the imports.
from opsboard.tenancy.access import (  # noqa: F401
    CURRENT_ORGANIZATION_SESSION_KEY,
    organization_view,
    require_editor,
    require_lead,
    require_manager,
)
