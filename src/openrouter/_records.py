"""Records declared once: the machinery behind the response types.

A record class states each field on one line, its type and how it is read
from the JSON object::

    class Usage(Record):
        prompt_tokens: int | None = field(as_int)
        cost: int | float | None = field(as_num)
        server_tool_use: ServerToolUse | None = field(
            one(ServerToolUse), key=("server_tool_use", "server_tool_use_details")
        )

and :class:`RecordMeta` derives the rest when the class is created:

* ``__slots__``: one slot per eager field (``raw`` comes from :class:`Record`),
  plus ``_<name>`` for each lazy field that keeps what it built;
* ``__init__(self, d)``: ``self.raw = d``, then each eager field is read from
  ``d``. Its source is generated and compiled, as :mod:`dataclasses` does,
  when the first object of the class is built (so an import compiles
  nothing), with the common readers written inline: building a streamed
  chunk is the client's per-event cost, and a call per field is most of
  what a hand-written ``__init__`` would spend;
* a ``property`` per lazy field (``name: Lazy[T] = lazy(reader)``), reading
  ``self.raw`` when asked for;
* ``_fields``: every field name, eager and lazy, in alphabetical order with
  numbers compared as numbers (the order of ``repr``);
* ``from_dict``: :meth:`Record.from_dict`, or, for a class declared with
  ``envelope=True``, one that also accepts the object wrapped in
  ``{"data": ...}``.

``__eq__`` (the fields, not ``raw``) and ``__repr__`` (the fields that are
not ``None``) are :class:`Record`'s, written once over ``_fields``.

A class that defines ``__init__`` itself keeps it (and must define
``from_dict``); the record readers then build it with ``from_dict``.
A subclass inherits its bases' fields and may add fields of its own.

mypy sees each field's type from its annotation, and checks that the
reader's result fits it: :func:`field` returns what the reader returns,
:func:`lazy` a :class:`Lazy` of it (a read-only attribute of that type).
The constructor mypy sees is :class:`Record`'s ``__init__(self, d)``, which
is the one every generated ``__init__`` has; this is why the classes are not
declared through ``typing.dataclass_transform``, whose synthesized
``__init__`` takes the fields as arguments.

Readers take any decoded JSON value and never raise: a value of another JSON
type reads as ``None`` (or as the documented empty value). ``type(v) is X``
rather than ``isinstance``: JSON decoding only produces the exact built-in
types, ``bool`` must not pass as ``int``, and the identity test is the
cheapest check CPython has. Objects are tested with ``isinstance``, so a
``dict`` subclass from a custom decoder is an object too.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any, ClassVar, Final, Generic, Never, Self, TypeVar, overload

__all__ = [
    "EMPTY",
    "Field",
    "JSONObject",
    "Lazy",
    "Record",
    "RecordMeta",
    "always",
    "as_bool",
    "as_int",
    "as_num",
    "as_obj",
    "as_str",
    "field",
    "int_list",
    "lazy",
    "listed",
    "many",
    "obj_list",
    "one",
    "padded",
    "str_list",
]

JSONObject = dict[str, Any]

T = TypeVar("T")
#: A record class.
R = TypeVar("R", bound="Record")

#: The object an always-present nested record is built from when the JSON
#: lacks it. Shared: treat it, as every ``raw``, as read-only.
EMPTY: Final[JSONObject] = {}


# -- readers ------------------------------------------------------------------------


def as_str(v: object) -> str | None:
    """``v`` if it is a string, else ``None``."""
    return v if type(v) is str else None


def as_int(v: object) -> int | None:
    """``v`` if it is an integer (a float with an integral value is converted), else ``None``."""
    if type(v) is int:
        return v
    if type(v) is float and v.is_integer():
        return int(v)
    return None


def as_num(v: object) -> int | float | None:
    """``v`` if it is an integer or a float, else ``None``."""
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[return-value]  # narrowed by the identity tests above
    return None


def as_bool(v: object) -> bool | None:
    """``v`` if it is a boolean, else ``None``."""
    return v if type(v) is bool else None


def as_obj(v: object) -> JSONObject | None:
    """``v`` if it is an object, else ``None``; kept as the object the API sent."""
    return v if isinstance(v, dict) else None


def str_list(v: object) -> list[str] | None:
    """The strings of a list (other items left out), or ``None`` when ``v`` is not a list."""
    if not isinstance(v, list):
        return None
    return [x for x in v if type(x) is str]


def int_list(v: object) -> list[int] | None:
    """The integers of a list (other items left out), or ``None`` when ``v`` is not a list."""
    if not isinstance(v, list):
        return None
    return [x for x in v if type(x) is int]


def obj_list(v: object) -> list[JSONObject] | None:
    """The objects of a list (other items left out), or ``None`` when ``v`` is not a list."""
    if not isinstance(v, list):
        return None
    return [x for x in v if isinstance(x, dict)]


# The source the generated code writes in place of a call, for the readers
# above that are cheap enough for the call to matter. ``{v}`` is a local
# variable holding the value (so it may be named more than once).
_INLINE: Final[dict[Callable[[Any], object], str]] = {
    as_str: "{v} if type({v}) is str else None",
    as_int: "{v} if type({v}) is int else as_int({v})",
    as_num: "{v} if type({v}) is int or type({v}) is float else None",
    as_bool: "{v} if type({v}) is bool else None",
    as_obj: "{v} if isinstance({v}, dict) else None",
}


def _builder(cls: type[Record]) -> Callable[[JSONObject], Record]:
    """What builds ``cls`` from a JSON object: the class, or its own ``from_dict``."""
    return cls if cls._reads_object else cls.from_dict


class _Nested(Generic[T]):
    """A reader of nested records: made by :func:`one`, :func:`always`,
    :func:`many`, :func:`listed` and :func:`padded`.

    ``source`` is the code the generated ``__init__`` writes, with ``{v}``
    for the value and ``{c}`` for what builds the record: an expression, or
    (``statements=True``) statements that leave the result in ``{r}``.
    Calling the reader runs the same code, compiled on first use.
    """

    __slots__ = ("_read", "build", "source", "statements")

    def __init__(self, cls: type[Record], source: str, *, statements: bool = False) -> None:
        self.build = _builder(cls)
        self.source = source
        self.statements = statements
        self._read: Callable[[object], T] | None = None

    def __call__(self, v: object) -> T:
        read = self._read
        if read is None:
            body = self.source.format(v="v", c="c", r="r")
            if self.statements:
                body = body.replace("\n", "\n    ") + "\n    return r"
            else:
                body = f"return {body}"
            made: dict[str, Callable[[object], T]] = {}
            # The reader's own function, from the same source as the inline form.
            exec(f"def read(v):\n    {body}", {"EMPTY": EMPTY, "c": self.build}, made)
            read = self._read = made["read"]
        return read(v)


def one(cls: type[R]) -> _Nested[R | None]:
    """Reader: ``cls`` built from an object, ``None`` for anything else."""
    # ``None`` first: an optional object is most often absent, and that test
    # is cheaper than ``isinstance``.
    return _Nested(cls, "None if {v} is None else {c}({v}) if isinstance({v}, dict) else None")


def always(cls: type[R]) -> _Nested[R]:
    """Reader: ``cls`` built from an object, or from ``{}`` for anything else (never ``None``)."""
    return _Nested(cls, "{c}({v} if isinstance({v}, dict) else EMPTY)")


def many(cls: type[R]) -> _Nested[list[R] | None]:
    """Reader: ``cls`` built from each object of a list (other items left out),
    ``None`` when the value is not a list."""
    return _Nested(
        cls,
        "None if {v} is None else "
        "[{c}(x) for x in {v} if isinstance(x, dict)] if isinstance({v}, list) else None",
    )


def listed(cls: type[R]) -> _Nested[list[R]]:
    """Reader: as :func:`many`, but ``[]`` when the value is not a list."""
    return _Nested(
        cls, "[{c}(x) for x in {v} if isinstance(x, dict)] if isinstance({v}, list) else []"
    )


def padded(cls: type[R]) -> _Nested[list[R]]:
    """Reader: ``cls`` built from each item of a list, an item that is not an
    object read as ``{}`` (so positions are kept); ``[]`` when the value is
    not a list."""
    # A loop, not a list comprehension: on Python 3.11 a comprehension is a
    # function call of its own, and this builds the choices of every chunk.
    return _Nested(
        cls,
        "{r} = []\n"
        "if isinstance({v}, list):\n"
        "    for x in {v}:\n"
        "        {r}.append({c}(x if isinstance(x, dict) else EMPTY))",
        statements=True,
    )


# -- fields -------------------------------------------------------------------------


class Field:
    """How one field is read; made by :func:`field` and :func:`lazy`.

    ``keys`` are the JSON keys tried in order (the first one whose value is
    not ``None`` is read); ``lazy`` fields are read when asked for;
    ``keep`` ones keep what they built.
    """

    __slots__ = ("doc", "keep", "keys", "lazy", "name", "reader")

    def __init__(
        self,
        reader: Callable[[Any], object],
        keys: tuple[str, ...],
        *,
        lazy: bool,
        keep: bool,
        doc: str | None,
    ) -> None:
        self.reader = reader
        self.keys = keys
        self.lazy = lazy
        self.keep = keep
        self.doc = doc
        self.name = ""

    def __repr__(self) -> str:
        kind = "lazy" if self.lazy else "field"
        return f"<{kind} {self.name!r} keys={self.keys!r}>"


def _keys(key: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if key is None:
        return ()
    return (key,) if isinstance(key, str) else tuple(key)


def field(reader: Callable[[Any], T], *, key: str | tuple[str, ...] | None = None) -> T:
    """Declare an eager field: read in ``__init__`` by ``reader``.

    ``key`` is the JSON key when it is not the attribute's name; a tuple
    names several, tried in order until one holds a value other than
    ``None``. Typed as the reader's result, so that mypy checks it against
    the annotation.
    """
    made: Any = Field(reader, _keys(key), lazy=False, keep=False, doc=None)
    return made  # type: ignore[no-any-return]  # the class machinery replaces it


class Lazy(Generic[T]):
    """The type of a lazy field, as mypy sees it: reads give a ``T``, and
    assigning is an error (as for a property without a setter).

    At run time the field is a plain ``property``; nothing of this class is
    ever built.
    """

    @overload
    def __get__(self, obj: None, owner: type[object]) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type[object]) -> T: ...
    def __get__(self, obj: object, owner: type[object]) -> Self | T:
        raise NotImplementedError  # never built: the field is a property at run time

    def __set__(self, obj: object, value: Never) -> None:
        raise NotImplementedError  # never built: the field is a property at run time


def lazy(
    reader: Callable[[Any], T],
    *,
    key: str | tuple[str, ...] | None = None,
    keep: bool = False,
    doc: str | None = None,
) -> Lazy[T]:
    """Declare a lazy field: a read-only property that reads ``raw`` when asked for.

    Annotate it as ``Lazy[T]`` (``T`` is what the reader returns). For
    fields that are rarely looked at on an object built often (a streamed
    chunk). ``keep=True`` builds the value once and keeps it in a slot of
    its own (for records and lists, so that each access gives the same
    object); the reader must then map ``None`` to ``None``, and a missing or
    ``null`` key reads as ``None`` without touching the slot. ``doc`` is the
    property's docstring. ``key`` is as in :func:`field`.
    """
    made: Any = Field(reader, _keys(key), lazy=True, keep=keep, doc=doc)
    return made  # type: ignore[no-any-return]  # the class machinery replaces it


# -- code generation ------------------------------------------------------------------

_names = itertools.count()


class _Source:
    """The source of one class's generated functions and the names it uses."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.env: dict[str, object] = {"EMPTY": EMPTY, "as_int": as_int}

    def bind(self, value: object) -> str:
        name = f"_x{next(_names)}"
        self.env[name] = value
        return name

    def read(self, f: Field, get: str, indent: str) -> str:
        """Emit the lines that put ``f``'s raw value in ``v``; return the expression."""
        first, *others = f.keys or (f.name,)
        self.lines.append(f"{indent}v = {get}({first!r})")
        for key in others:
            self.lines.append(f"{indent}if v is None:")
            self.lines.append(f"{indent}    v = {get}({key!r})")
        reader = f.reader
        if isinstance(reader, _Nested):
            code = reader.source.format(v="v", c=self.bind(reader.build), r="r")
            if not reader.statements:
                return code
            self.lines.extend(indent + line for line in code.splitlines())
            return "r"
        inline = _INLINE.get(reader)
        if inline is not None:
            return inline.format(v="v")
        return f"{self.bind(reader)}(v)"


def _compile(cls: RecordMeta, src: _Source) -> dict[str, Any]:
    """Run the generated source; its functions are named as methods of ``cls``."""
    made: dict[str, Any] = {}
    exec("\n".join(src.lines), src.env, made)  # this module's own source, built above
    for name, fn in made.items():
        fn.__module__ = cls.__module__
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
    return made


def _init_source(fields: list[Field]) -> _Source:
    """``__init__(self, d)``: ``raw``, then each eager field."""
    src = _Source()
    lines = src.lines
    lines.append("def __init__(self, d):")
    lines.append("    self.raw = d")
    eager = [f for f in fields if not f.lazy]
    get = "d.get"
    if len(eager) > 1:
        lines.append("    get = d.get")
        get = "get"
    for f in eager:
        expr = src.read(f, get, "    ")
        lines.append(f"    self.{f.name} = {expr}")
    return src


def _getters_source(fields: list[Field]) -> _Source:
    """One getter per lazy field, named as the field."""
    src = _Source()
    lines = src.lines
    for f in fields:
        lines.append(f"def {f.name}(self):")
        expr = src.read(f, "self.raw.get", "    ")
        if f.keep:
            lines.append("    if v is None:")
            lines.append("        return None")
            lines.append("    try:")
            lines.append(f"        return self._{f.name}")
            lines.append("    except AttributeError:")
            lines.append("        pass")
            lines.append(f"    built = self._{f.name} = {expr}")
            lines.append("    return built")
        else:
            lines.append(f"    return {expr}")
    return src


def _first_init(cls: RecordMeta) -> Callable[[Record, JSONObject], None]:
    """``cls.__init__`` until the first object is built: it generates the real
    one, puts it in its place and runs it. So importing the module compiles
    nothing, and only the classes a program builds are compiled."""

    def __init__(self: Record, d: JSONObject) -> None:
        init = _compile(cls, _init_source(list(cls._record_fields.values())))["__init__"]
        init.__doc__ = _INIT_DOC
        cls.__init__ = init  # type: ignore[misc]  # generated for this class
        init(self, d)

    __init__.__doc__ = _INIT_DOC
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _from_envelope(cls: type[R], d: object) -> R:
    """Build from a body or its ``data`` object; never raises.

    The ``from_dict`` of a class declared with ``envelope=True``.
    """
    obj = d if isinstance(d, dict) else {}
    inner = obj.get("data")
    return cls(inner if isinstance(inner, dict) else obj)


def _natural(name: str) -> list[str | int]:
    """Sort key: digit runs compare as numbers (``last_5m`` before ``last_30m``)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


_INIT_DOC: Final = """Read the fields from the decoded JSON object ``d``, which becomes ``raw``.

Never raises for any ``dict``; ``d`` is kept, not copied.
"""


class RecordMeta(type):
    """Builds a record class from its field declarations (see the module docstring)."""

    _record_fields: dict[str, Field]
    _reads_object: bool

    def __new__(
        mcls,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        *,
        envelope: bool = False,
    ) -> RecordMeta:
        fields: dict[str, Field] = {}
        for base in reversed(bases):
            fields.update(getattr(base, "_record_fields", {}))
        annotations = namespace.get("__annotations__", {})
        own = [(key, value) for key, value in namespace.items() if isinstance(value, Field)]
        slots = list(namespace.get("__slots__", ()))
        for attr, f in own:
            if attr not in annotations:
                raise TypeError(f"{name}.{attr}: a record field needs an annotation")
            if attr in fields:
                raise TypeError(f"{name}.{attr}: a field of a base class cannot be declared again")
            if f.keep and f.reader(None) is not None:
                raise TypeError(f"{name}.{attr}: keep=True needs a reader that maps None to None")
            f.name = attr
            fields[attr] = f
            del namespace[attr]
            if f.lazy:
                if f.keep:
                    slots.append(f"_{attr}")
            else:
                slots.append(attr)
        namespace["__slots__"] = tuple(slots)
        if fields:
            namespace["_fields"] = tuple(sorted(fields, key=_natural))
        if envelope:
            namespace.setdefault("from_dict", classmethod(_from_envelope))
        cls = super().__new__(mcls, name, bases, namespace)
        cls._record_fields = fields
        # Record's own __init__ is the one every generated __init__ replaces.
        own_init = "__init__" in namespace and any(isinstance(b, RecordMeta) for b in bases)
        if own_init and "from_dict" not in namespace:
            raise TypeError(f"{name} defines __init__, so it must define from_dict too")
        cls._reads_object = not own_init and all(getattr(b, "_reads_object", True) for b in bases)
        if own and cls._reads_object:
            cls.__init__ = _first_init(cls)  # type: ignore[misc]  # replaced on first use
        getters = [f for _, f in own if f.lazy]
        if getters:
            made = _compile(cls, _getters_source(getters))
            for f in getters:
                setattr(cls, f.name, property(made[f.name], doc=f.doc))
        return cls


class Record(metaclass=RecordMeta):
    """The base of every record: ``raw``, ``from_dict``, field equality and ``repr``.

    Records are compared by their fields (``raw`` is not compared) and are
    unhashable. They are read-only by convention, not enforced: a lazy field
    is a property without a setter and a name without a slot cannot be set
    (``AttributeError``), but an eager field is a plain slot that the
    generated ``__init__`` fills with one store each (a ``__setattr__``
    guard would make every store a call: a streamed chunk about a third
    slower to build), so assigning it works and leaves ``raw`` unchanged.
    """

    __slots__ = ("raw",)
    #: Every field's name, in alphabetical order (numbers compared as numbers).
    _fields: ClassVar[tuple[str, ...]] = ()
    _record_fields: ClassVar[dict[str, Field]]
    _reads_object: ClassVar[bool]

    #: The JSON object this was built from, with every field the API sent.
    raw: JSONObject

    def __init__(self, d: JSONObject) -> None:
        self.raw = d

    __init__.__doc__ = _INIT_DOC

    @classmethod
    def from_dict(cls, d: object) -> Self:
        """Build from a decoded JSON value; never raises (a non-object reads as ``{}``)."""
        return cls(d if isinstance(d, dict) else {})

    def __repr__(self) -> str:
        shown = []
        for name in self._fields:
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable-by-convention value objects
