"""``python -m cjm`` works like the ``cjm`` command."""

from cjm.cli.app import main

main()
