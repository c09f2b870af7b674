"""Hand one result to the output in the mode chosen: JSON (the API's data), ids (--quiet) or a table."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sydium_cli.output import Mode

if TYPE_CHECKING:
    from rich.console import RenderableType

    from sydium_cli.runtime import Runtime


def emit(rt: "Runtime", data: Any, renderable: Callable[[], "RenderableType"], ids: Callable[[], list[str]]) -> None:
    """`data` is printed as JSON, `ids()` with --quiet, `renderable()` on a terminal."""
    if rt.out.mode is Mode.JSON:
        rt.out.json(data)
    elif rt.out.mode is Mode.QUIET:
        rt.out.lines(ids())
    else:
        rt.out.render(renderable())
