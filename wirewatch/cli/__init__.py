"""The `wirewatch` command line: arguments, the commands, the demo and feed administration."""
