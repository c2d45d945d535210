"""`python -m studykb_cli …`: the `studykb` command."""

from studykb_cli.main import main

main()
