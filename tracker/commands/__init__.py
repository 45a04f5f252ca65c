"""The command line (flask --app app ...): the commands themselves (cli), the demo fund, backups,
and the generator of realistic data for benchmarks."""
