"""Typer commands: one module per noun, each exposing `register(app)`. Thin: parse, call, hand to output.

The root group imports a command's module only when that command runs (or its help is shown), so
`sydium --help` and shell completion never pay for all of them. The table below is what the root help
and command-name completion show; tests/test_command_index.py fails when it drifts from what the modules
really register.
"""

# name -> (module, one-line help). Order is the order `sydium --help` lists them in.
COMMANDS: dict[str, tuple[str, str]] = {
    "post": ("post", "Publish or schedule a post on one or more platforms."),
    "posts": ("posts", "Follow, list and cancel posts (operations)."),
    "validate": (
        "validate",
        "Check post files offline: schema, times, targets, local media files and, when cached, platform limits.",
    ),
    "media": ("media", "Upload or import media for posts."),
    "accounts": ("accounts", "List connected accounts (platform, handle, display name)."),
    "platforms": (
        "platforms",
        "Show platform limits: caption/title/description lengths, media count and types, post types.",
    ),
    "analytics": ("analytics", "Per-day analytics totals (the API's default range is the last 30 days)."),
    "idea": ("idea", "Show today's content idea, or say clearly that there is none in today's window."),
    "generate": ("generate", "Draft a caption about TOPIC."),
    "health": ("health", "Check that the API is up and show its version (no key needed)."),
    "auth": ("auth", "Log in, check which key and mode are in use, log out, manage profiles."),
    "sandbox": ("sandbox", "Run, inspect or clear the local Sydium API simulator (no account needed)."),
    "completion": ("completion", "Print the completion script for SHELL (bash, zsh, fish, powershell)."),
}

# Hidden aliases: the command names of Sydium's own documented CLI.
HIDDEN: dict[str, str] = {
    "posts:create": "aliases",
    "posts:get": "aliases",
    "posts:list": "aliases",
    "posts:cancel": "aliases",
    "accounts:list": "aliases",
    "platforms:list": "aliases",
    "analytics:get": "aliases",
    "auth:login": "auth",
    "auth:status": "auth",
}

COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys([m for m, _ in COMMANDS.values()] + list(HIDDEN.values())))


def module_for(name: str) -> str | None:
    if name in COMMANDS:
        return COMMANDS[name][0]
    return HIDDEN.get(name)
