"""Typer commands: one module per noun, each exposing `register(app)`. Thin: parse, call, hand to output."""

# Registration order is the order `sydium --help` lists them in.
COMMAND_MODULES: tuple[str, ...] = ()
