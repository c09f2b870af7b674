"""Start-up speed: defer typer's per-parameter pydantic coercion until a value really needs it.

typer 0.29 builds a pydantic `TypeAdapter` for every parameter it processes, even one with no value
(global options not given, an option during shell completion). That alone imports pydantic and costs
more than the rest of a completion request. Here, strings and lists of strings, which need no
conversion, are passed through as typer would return them, and every other value is still coerced
by typer's own machinery, built on first use. If typer's internals ever differ, nothing is patched
and typer works as it always does.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_PLAIN = (str, list[str])


def install() -> None:
    try:
        from typer import _coercion, core
    except ImportError:  # pragma: no cover - another typer series: leave it alone
        return
    original = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if original is None or base is None or getattr(original, "_sydium_deferred", False):
        return
    builder: Callable[[Any], Any] = original

    @dataclass(frozen=True)
    class DeferredRuntimeParam(base):  # type: ignore[misc, valid-type]
        descriptor: Any = None
        _built: list[Any] = field(default_factory=list, compare=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is str and isinstance(value, str):
                return value
            if self.annotation == list[str] and all(isinstance(v, str) for v in value):
                return list(value)
            if not self._built:
                self._built.append(builder(self.descriptor))
            return self._built[0]._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        return DeferredRuntimeParam(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
        )

    build._sydium_deferred = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build)  # noqa: B010 - typer has no public hook for this
