"""``python -m dadkhah …`` is the ``dadkhah`` command."""

from dadkhah.cli import main

if __name__ == "__main__":
    main()
