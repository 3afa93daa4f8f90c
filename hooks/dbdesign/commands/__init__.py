"""The subcommands of `dbdesign` other than `check`: one module each, each
with `main(args) -> int`, imported only when its command runs."""
