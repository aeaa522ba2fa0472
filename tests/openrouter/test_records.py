"""The record machinery: what one declared line per field gives a class."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrouter._records import (
    EMPTY,
    Lazy,
    Record,
    always,
    as_bool,
    as_int,
    as_num,
    as_obj,
    as_str,
    field,
    int_list,
    lazy,
    listed,
    many,
    obj_list,
    one,
    padded,
    str_list,
)


def _upper(v: object) -> str | None:
    return v.upper() if type(v) is str else None


class Leaf(Record):
    """A nested record."""

    name: str | None = field(as_str)


class Sample(Record):
    """Every kind of field the machinery offers."""

    count: int | None = field(as_int)
    ratio: int | float | None = field(as_num)
    flag: bool | None = field(as_bool)
    meta: dict[str, Any] | None = field(as_obj)
    label: str | None = field(_upper, key="Label")
    either: str | None = field(as_str, key=("first", "second"))
    leaf: Leaf | None = field(one(Leaf))
    always_leaf: Leaf = field(always(Leaf))
    leaves: list[Leaf] | None = field(many(Leaf))
    listed_leaves: list[Leaf] = field(listed(Leaf))
    slots_5: list[Leaf] = field(padded(Leaf))
    slots_30: Lazy[str | None] = lazy(as_str, doc="Read when asked for.")
    kept: Lazy[list[Leaf] | None] = lazy(many(Leaf), keep=True)

    def shout(self) -> str:
        """A method of the class's own."""
        return f"{self.label}!"


class Wrapped(Record, envelope=True):
    """A record whose body may be wrapped in ``{"data": ...}``."""

    total: int | None = field(as_int)


class Valued(Record):
    """A record that is built from its values, with its own ``__init__``."""

    code: int | None = field(as_int)

    def __init__(self, raw: dict[str, Any], code: int | None) -> None:
        self.raw = raw
        self.code = code

    @classmethod
    def from_dict(cls, d: object) -> Valued:
        obj = d if isinstance(d, dict) else {}
        return cls(obj, as_int(obj.get("code")))


class Holder(Record):
    """Nested records of a class with its own ``__init__`` are built with its ``from_dict``."""

    valued: Valued | None = field(one(Valued))
    many_valued: list[Valued] | None = field(many(Valued))


class Child(Sample):
    """A subclass adds fields to its base's."""

    extra: str | None = field(as_str)


class Empty(Sample):
    """A subclass without fields of its own."""


FULL: dict[str, Any] = {
    "count": 3,
    "ratio": 0.5,
    "flag": True,
    "meta": {"a": 1},
    "Label": "hi",
    "first": None,
    "second": "two",
    "leaf": {"name": "one"},
    "always_leaf": {"name": "always"},
    "leaves": [{"name": "a"}, 7, {"name": "b"}],
    "listed_leaves": [{"name": "c"}],
    "slots_5": [{"name": "d"}, "x"],
    "slots_30": "lazy",
    "kept": [{"name": "e"}],
    "unknown": [1, 2],
}


# -- __init__ and from_dict ------------------------------------------------------------------


def test_init_reads_every_eager_field_from_the_object() -> None:
    """``Cls(d)`` reads each declared field by its reader; ``raw`` is ``d`` itself."""
    s = Sample(FULL)
    assert s.raw is FULL
    assert (s.count, s.ratio, s.flag, s.meta) == (3, 0.5, True, {"a": 1})
    assert s.meta is FULL["meta"]
    assert s.leaf == Leaf({"name": "one"})
    assert s.always_leaf.name == "always"
    assert s.leaves is not None
    assert [x.name for x in s.leaves] == ["a", "b"]
    assert [x.name for x in s.listed_leaves] == ["c"]
    assert [x.name for x in s.slots_5] == ["d", None]
    assert s.slots_5[1].raw is EMPTY


def test_init_takes_the_object_as_keyword_d() -> None:
    """The generated ``__init__`` has the same one argument, ``d``, as ``Record.__init__``."""
    assert Sample(d={"count": 1}).count == 1
    with pytest.raises(TypeError):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample({}, {})  # type: ignore[call-arg]


def test_key_names_the_json_member() -> None:
    """``key=`` reads another member than the attribute's name, with the field's reader."""
    assert Sample({"Label": "hi", "label": "no"}).label == "HI"
    assert Sample({"label": "no"}).label is None


def test_several_keys_are_tried_in_order() -> None:
    """A tuple of keys reads the first one whose value is not ``None``."""
    assert Sample({"first": "1", "second": "2"}).either == "1"
    assert Sample({"first": None, "second": "2"}).either == "2"
    assert Sample({"second": "2"}).either == "2"
    assert Sample({"first": 5, "second": "2"}).either is None


def test_missing_fields_read_as_their_empty_value() -> None:
    """Absent members: ``None``, an empty nested record, or ``[]`` for listed and padded ones."""
    s = Sample({})
    for name in ("count", "ratio", "flag", "meta", "label", "either", "leaf", "leaves", "kept"):
        assert getattr(s, name) is None, name
    assert s.always_leaf.raw == {}
    assert s.listed_leaves == []
    assert s.slots_5 == []
    assert s.slots_30 is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("count", "3"),
        ("count", True),
        ("count", 2.5),
        ("ratio", "0.5"),
        ("ratio", False),
        ("flag", 1),
        ("meta", [1]),
        ("Label", 3),
        ("leaf", "x"),
        ("leaves", {"name": "a"}),
        ("slots_30", 1),
        ("kept", "x"),
    ],
)
def test_wrong_types_read_as_none(key: str, value: object) -> None:
    """A member of another JSON type reads as ``None`` and stays in ``raw``."""
    s = Sample({key: value})
    attr = "label" if key == "Label" else key
    assert getattr(s, attr) is None
    assert s.raw[key] == value


def test_wrong_types_of_always_listed_and_padded_fields() -> None:
    """Those fields keep their empty value for any other JSON type."""
    s = Sample({"always_leaf": [1], "listed_leaves": {"a": 1}, "slots_5": "x"})
    assert s.always_leaf.raw == {}
    assert s.listed_leaves == []
    assert s.slots_5 == []


def test_integral_float_reads_as_int() -> None:
    """``as_int`` converts a float with an integral value, as JSON may spell a count."""
    assert Sample({"count": 4.0}).count == 4
    assert type(Sample({"count": 4.0}).count) is int


def test_extra_keys_stay_in_raw_only() -> None:
    """A member no field declares is kept in ``raw`` and is no attribute."""
    s = Sample(FULL)
    assert s.raw["unknown"] == [1, 2]
    assert not hasattr(s, "unknown")


@pytest.mark.parametrize("value", [None, 3, "x", [1, 2], True])
def test_from_dict_reads_a_non_object_as_empty(value: object) -> None:
    """``from_dict`` never raises: a value that is not an object gives ``raw == {}``."""
    s = Sample.from_dict(value)
    assert s.raw == {}
    assert s == Sample({})


def test_from_dict_builds_from_the_object() -> None:
    """``from_dict(d)`` is ``Cls(d)`` for an object."""
    assert Sample.from_dict(FULL) == Sample(FULL)
    assert Sample.from_dict(FULL).raw is FULL


def test_envelope_accepts_the_wrapped_and_the_bare_object() -> None:
    """``envelope=True``: ``{"data": {...}}`` and the inner object give the same record."""
    wrapped = Wrapped.from_dict({"data": {"total": 2}})
    assert wrapped.total == 2
    assert wrapped.raw == {"total": 2}
    assert Wrapped.from_dict({"total": 2}) == wrapped
    assert Wrapped.from_dict({"data": [1], "total": 2}).total == 2
    assert Wrapped.from_dict("x").raw == {}


def test_own_init_is_kept_and_nested_records_use_from_dict() -> None:
    """A class that writes its ``__init__`` keeps it; readers build it through ``from_dict``."""
    v = Valued({"code": 1}, 2)
    assert (v.code, v.raw) == (2, {"code": 1})
    h = Holder({"valued": {"code": 4}, "many_valued": [{"code": 5}, "x"]})
    assert h.valued == Valued({"code": 4}, 4)
    assert h.many_valued == [Valued({}, 5)]


def test_own_init_without_from_dict_is_refused() -> None:
    """Writing ``__init__`` without ``from_dict`` is a mistake the class statement reports."""
    with pytest.raises(TypeError, match="from_dict"):

        class Broken(Record):
            code: int | None = field(as_int)

            def __init__(self, d: dict[str, Any]) -> None:
                self.raw = d


def test_field_without_annotation_is_refused() -> None:
    """A field needs its annotation (the type mypy sees)."""
    with pytest.raises(TypeError, match="annotation"):

        class Broken(Record):
            code = field(as_int)


def test_redeclared_base_field_is_refused() -> None:
    """A subclass cannot declare a field of its base again."""
    with pytest.raises(TypeError, match="base class"):

        class Broken(Sample):
            count: int | None = field(as_int)


def test_keep_needs_a_reader_of_none_to_none() -> None:
    """``keep=True`` relies on a missing member reading as ``None``."""
    with pytest.raises(TypeError, match="keep=True"):

        class Broken(Record):
            leaf: Lazy[Leaf] = lazy(always(Leaf), keep=True)


# -- inheritance ------------------------------------------------------------------------------


def test_subclass_adds_fields_to_its_bases() -> None:
    """A subclass reads its base's fields and its own, and lists them all."""
    c = Child({"count": 1, "extra": "e", "slots_30": "s"})
    assert (c.count, c.extra, c.slots_30) == (1, "e", "s")
    assert set(Child._fields) == set(Sample._fields) | {"extra"}
    assert vars(Child)["__slots__"] == ("extra",)


def test_subclass_without_fields_inherits_everything() -> None:
    """A subclass that declares nothing builds like its base, with no slots of its own."""
    e = Empty(FULL)
    assert e.count == 3
    assert Empty._fields == Sample._fields
    assert vars(Empty)["__slots__"] == ()
    assert e != Sample(FULL)


# -- lazy fields --------------------------------------------------------------------------------


def test_lazy_field_reads_raw_when_asked() -> None:
    """A lazy field is a property over ``raw``: it sees ``raw`` as it is now."""
    s = Sample({"slots_30": "a"})
    assert s.slots_30 == "a"
    s.raw["slots_30"] = "b"
    assert s.slots_30 == "b"
    assert isinstance(Sample.__dict__["slots_30"], property)
    assert Sample.__dict__["slots_30"].__doc__ == "Read when asked for."


def test_kept_lazy_field_is_built_once() -> None:
    """``keep=True`` builds on first access and returns the same object after."""
    s = Sample({"kept": [{"name": "a"}]})
    first = s.kept
    assert first is not None
    assert [x.name for x in first] == ["a"]
    assert s.kept is first
    assert Sample({"kept": None}).kept is None


def test_lazy_fields_are_read_only() -> None:
    """Lazy fields cannot be assigned, as the properties they replace could not."""
    s = Sample({})
    with pytest.raises(AttributeError):
        s.slots_30 = "x"  # type: ignore[assignment]  # mypy refuses it too


# -- _fields, equality, repr, slots ------------------------------------------------------------


def test_fields_are_every_field_in_natural_order() -> None:
    """``_fields`` lists eager and lazy fields alphabetically, numbers compared as numbers."""
    assert Sample._fields == (
        "always_leaf",
        "count",
        "either",
        "flag",
        "kept",
        "label",
        "leaf",
        "leaves",
        "listed_leaves",
        "meta",
        "ratio",
        "slots_5",
        "slots_30",
    )


def test_equality_compares_fields_not_raw() -> None:
    """Equal fields make equal records, whatever else ``raw`` holds; other types differ."""
    assert Sample({"count": 1}) == Sample({"count": 1, "unknown": 2})
    assert Sample({"count": 1}) != Sample({"count": 2})
    assert Sample({"slots_30": "a"}) != Sample({"slots_30": "b"})
    assert Sample({}) != Child({})
    assert Sample({}) != object()
    assert Sample({}).__eq__(1) is NotImplemented


def test_records_are_unhashable() -> None:
    """Records are mutable by convention, so they have no hash."""
    with pytest.raises(TypeError):
        hash(Sample({}))


def test_repr_names_the_fields_that_are_set() -> None:
    """``repr`` shows the fields other than ``None``, in ``_fields`` order."""
    assert repr(Leaf({"name": "x"})) == "Leaf(name='x')"
    assert repr(Sample({"count": 1, "slots_30": "s"})) == (
        "Sample(always_leaf=Leaf(), count=1, listed_leaves=[], slots_5=[], slots_30='s')"
    )


def test_slots_hold_the_fields_and_no_dict() -> None:
    """Eager fields and kept lazy fields have slots; records have no ``__dict__``."""
    assert set(Sample.__slots__) == {
        "count",
        "ratio",
        "flag",
        "meta",
        "label",
        "either",
        "leaf",
        "always_leaf",
        "leaves",
        "listed_leaves",
        "slots_5",
        "_kept",
    }
    s = Sample({})
    assert not hasattr(s, "__dict__")
    with pytest.raises(AttributeError):
        setattr(s, "other", 1)  # noqa: B010  # an attribute no field declares


def test_methods_of_the_class_are_kept() -> None:
    """A record class keeps the methods it defines."""
    assert Sample({"Label": "hey"}).shout() == "HEY!"


# -- generated code -------------------------------------------------------------------------------


def test_generated_init_is_named_as_the_class_method() -> None:
    """Tracebacks and introspection name the generated functions after the class."""
    Sample({})
    init = Sample.__init__
    assert init.__qualname__ == "Sample.__init__"
    assert init.__module__ == __name__
    assert init.__doc__ is not None
    getter = Sample.__dict__["slots_30"].fget
    assert getter.__qualname__ == "Sample.slots_30"


def test_init_is_compiled_on_first_use() -> None:
    """Defining a class compiles no ``__init__``; the first object does, once."""

    class Fresh(Record):
        n: int | None = field(as_int)

    first = Fresh.__init__
    assert Fresh({"n": 1}).n == 1
    compiled = Fresh.__init__
    assert compiled is not first
    assert Fresh({"n": 2}).n == 2
    assert Fresh.__init__ is compiled


# -- readers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "value", "expected"),
    [
        (as_str, "a", "a"),
        (as_str, 1, None),
        (as_int, 1, 1),
        (as_int, 1.0, 1),
        (as_int, 1.5, None),
        (as_int, True, None),
        (as_int, "1", None),
        (as_num, 1.5, 1.5),
        (as_num, 2, 2),
        (as_num, True, None),
        (as_bool, False, False),
        (as_bool, 0, None),
        (as_obj, {"a": 1}, {"a": 1}),
        (as_obj, [1], None),
        (str_list, ["a", 1, "b"], ["a", "b"]),
        (str_list, "ab", None),
        (int_list, [1, "2", 3, True], [1, 3]),
        (obj_list, [{}, 1, {"a": 1}], [{}, {"a": 1}]),
    ],
)
def test_scalar_readers(reader: Any, value: object, expected: object) -> None:
    """Each reader keeps values of its exact JSON type and reads anything else as ``None``."""
    result = reader(value)
    assert result == expected
    assert type(result) is type(expected)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "x"]), inner, max_size=2)
    ),
    max_leaves=8,
)


@given(value=_JSON)
def test_inline_and_called_readers_agree(value: object) -> None:
    """The generated ``__init__``, which writes readers inline, reads as calling them does."""
    s = Sample(
        dict.fromkeys(
            ("count", "ratio", "flag", "meta", "leaf", "always_leaf", "leaves", "listed_leaves"),
            value,
        )
        | {"slots_5": value}
    )
    assert s.count == as_int(value)
    assert s.ratio == as_num(value) or value != value  # noqa: PLR0124  # NaN differs from itself
    assert s.flag == as_bool(value)
    assert s.meta == as_obj(value)
    assert s.leaf == one(Leaf)(value)
    assert s.always_leaf == always(Leaf)(value)
    assert s.leaves == many(Leaf)(value)
    assert s.listed_leaves == listed(Leaf)(value)
    assert s.slots_5 == padded(Leaf)(value)
