"""Typed wire models: decode API JSON with exact error paths, encode requests.

Why not pydantic: importing it costs about 70 ms on our machines, more than the whole start-up budget
`sydium post` has (issue 7: under 0.8x of a script that only imports the libraries and makes the request).
Why not @dataclass: it compiles three methods per class when the module is imported (~0.3 ms each class,
~7 ms for the API's 22 types). A model here is declared like a keyword-only dataclass (and type-checked as
one, through `dataclass_transform`), but its fields are read from the annotations on first use.

- responses keep every field as received (`wire()` returns it), unknown ones too (`extra`), so a newer
  server never crashes an older CLI, and JSON output shows exactly what the API said;
- a missing or mistyped field fails with its path (`targets[0].status: expected a string`);
- requests check their documented limits in `__post_init__`, before any network call.

Field names are snake_case in Python and camelCase on the wire; `WIRE_NAMES` names a field whose wire
name is not the camelCase of its Python name (`from_` -> `from`).
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Any:
        return lambda cls: cls


M = TypeVar("M", bound="WireModel")
_MISSING: Any = object()


class WireError(ValueError):
    """Data that does not fit a wire model; `path` says where (`targets[0].status`)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _Field(typing.NamedTuple):
    name: str
    wire: str
    type: Any
    default: Any  # _MISSING when required


@dataclass_transform(kw_only_default=True)
class WireModel:
    """Base of every wire model: keyword-only fields with defaults, equality and repr by field."""

    WIRE_NAMES: ClassVar[dict[str, str]] = {}
    _fields_cache: ClassVar[dict[type, tuple[_Field, ...]]] = {}
    _received: dict[str, Any] | None = None  # the object as it came off the wire, when decoded

    def __init__(self, **values: Any) -> None:
        for f in self.wire_fields():
            value = values.pop(f.name, f.default)
            if value is _MISSING:
                raise TypeError(f"{type(self).__name__}() needs {f.name}=")
            setattr(self, f.name, value)
        if values:
            raise TypeError(f"{type(self).__name__}() takes no {', '.join(sorted(values))}")
        self.__post_init__()

    def __post_init__(self) -> None:
        """Requests check their documented limits here (raise ValueError)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in self.wire_fields())

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: like a dataclass

    def __repr__(self) -> str:
        fields = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.wire_fields())
        return f"{type(self).__name__}({fields})"

    @classmethod
    def wire_fields(cls) -> tuple[_Field, ...]:
        found = WireModel._fields_cache.get(cls)
        if found is None:
            hints = typing.get_type_hints(cls)
            names = [
                name
                for klass in reversed(cls.__mro__)
                if issubclass(klass, WireModel) and klass is not WireModel
                for name in inspect.get_annotations(klass)
                if typing.get_origin(hints[name]) is not ClassVar
            ]
            found = tuple(
                _Field(name, cls.WIRE_NAMES.get(name, camel(name)), hints[name], getattr(cls, name, _MISSING))
                for name in dict.fromkeys(names)
            )
            if any(isinstance(f.default, (list, dict, set)) for f in found):
                raise TypeError(f"{cls.__name__}: a default would be shared by every instance; use None")
            WireModel._fields_cache[cls] = found
        return found

    @classmethod
    def from_wire(cls: type[M], data: Any, path: str = "") -> M:
        """Decode a JSON object; raises WireError naming the first field that does not fit."""
        if not isinstance(data, dict):
            raise WireError(path, f"expected an object, got {_kind(data)}")
        values: dict[str, Any] = {}
        for f in cls.wire_fields():
            where = f"{path}.{f.wire}" if path else f.wire
            if f.wire in data:
                values[f.name] = _decode(f.type, data[f.wire], where)
            elif f.default is _MISSING:
                raise WireError(where, "missing")
        try:
            model = cls(**values)
        except ValueError as exc:  # a request's own limits
            raise WireError(path, str(exc)) from None
        model._received = data
        return model

    def wire(self) -> dict[str, Any]:
        """The JSON-ready object as the API spells it: as received when decoded (unknown fields and
        nulls kept), else the fields that are set."""
        if self._received is not None:
            return dict(self._received)  # a copy: a caller adding a key must not change the model
        return {f.wire: _encode(v) for f in self.wire_fields() if (v := getattr(self, f.name)) is not None}

    @property
    def extra(self) -> dict[str, Any]:
        """Fields the API sent that this model does not declare (undocumented or newer ones)."""
        known = {f.wire for f in self.wire_fields()}
        return {k: v for k, v in (self._received or {}).items() if k not in known}


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


_SCALARS: dict[Any, tuple[tuple[type, ...], str]] = {
    str: ((str,), "a string"),
    bool: ((bool,), "a boolean"),
    int: ((int,), "an integer"),
    float: ((int, float), "a number"),
}


def _decode(tp: Any, value: Any, path: str) -> Any:
    if tp is Any:
        return value
    scalar = _SCALARS.get(tp)
    if scalar is not None:
        accepted, name = scalar
        if not isinstance(value, accepted) or (tp is not bool and isinstance(value, bool)):
            raise WireError(path, f"expected {name}, got {_kind(value)}")
        return value
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = typing.get_args(tp)
        if value is None:
            if type(None) in options:
                return None
            raise WireError(path, "must not be null")
        problems = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, value, path)
            except WireError as exc:
                problems.append(exc.problem)
        raise WireError(path, problems[0])
    if origin is list:
        if not isinstance(value, list):
            raise WireError(path, f"expected a list, got {_kind(value)}")
        (item,) = typing.get_args(tp)
        return [_decode(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise WireError(path, f"expected an object, got {_kind(value)}")
        _, item = typing.get_args(tp)
        return {str(k): _decode(item, v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, WireModel):
        return tp.from_wire(value, path)
    raise TypeError(f"wire type {tp!r} is not supported")  # a programming error in models.py


def _encode(value: Any) -> Any:
    if isinstance(value, WireModel):
        return value.wire()
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value
