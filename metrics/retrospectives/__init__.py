"""Monthly retrospectives: built once per project (and per team) and month, then reviewed.

Building stores the figures and the generated highlights and problems as they stood,
so the report does not change when the work moves on. The team then writes its own
highlights and problems and agrees improvement actions, each one a card on a board:
the project's, or for a team one of the boards of the projects it takes part in.

By role:

- ``report``: what a build works out (``report_for`` a ``Subject``, a project or a team);
- ``services``: the writes (build, rebuild, the team's review, actions, finalising);
- ``selectors``: the reads (access, lists, action boards, the figures compared);
- ``schedule``: when a month's retrospectives fall due, and the scan the beat task runs;
- ``notifications``: who is told, and the emails when built and when final.
"""
