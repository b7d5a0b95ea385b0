"""One module per `khet` sub-command, each exposing `main(argv) -> int`."""
