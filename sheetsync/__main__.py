from sheetsync.cli import run

run()
