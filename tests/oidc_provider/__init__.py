"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit with
OIDC on, as a tiny Django project of its own, run as its own process (``serve.py``)."""
