"""The `studykb` command line: the package on top of all others (nothing imports it).

`studykb_cli.main:main` is the console command; `python -m studykb_cli` runs the same.
"""
