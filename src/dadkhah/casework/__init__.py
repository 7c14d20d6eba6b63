"""Building cases: chain of command, allegations and their evidence, careers, FollowTheMoney export.

- :mod:`dadkhah.casework.chain` — ``build_command_graph(session, period, principal=...)``, ``superiors``,
  ``subordinates``, ``co_members`` ("who was above X in Gohardasht in August 1988?", "who sat on the
  same commission?"); drawn by :mod:`dadkhah.casework.svg` (``render_svg``, ``render_html``).
- :mod:`dadkhah.casework.allegations` — ``allegation_matrix`` (each allegation × evidence for and
  against, with grades), ``roles_in_events``; :mod:`dadkhah.casework.career` — ``career``.
- :mod:`dadkhah.casework.evidence` — exhibits (SHA-256), photos and witness statements from the vault.
- :mod:`dadkhah.casework.ftm` — ``export_entities`` / ``write_ftm`` (FollowTheMoney, for Aleph).
- :mod:`dadkhah.testing.synthetic_case` — a fictional case for tests, examples and benchmarks.

Everything is read for one :class:`~dadkhah.access.Principal`. See docs/casework.md.
"""
