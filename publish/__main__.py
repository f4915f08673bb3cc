from publish.cli import cli

cli(prog_name="python -m publish")
