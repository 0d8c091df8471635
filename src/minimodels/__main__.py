"""``python -m minimodels`` is the ``minimodels`` command."""

from minimodels.cli import main

if __name__ == "__main__":
    main()
