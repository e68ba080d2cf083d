//! The typed fast path of the rule check: a `serde` serializer that reads, from a request body's
//! `Serialize`, only the fields the rules name (as the JSON it serialises to would hold them) and
//! skips every other field unserialised. See [`check_typed`](super::check_typed).

use std::fmt;

use serde::ser::{self, Serialize, Serializer};

use super::checks::{fill, Seen};

/// What the typed fast path could not read as the JSON it serialises to; the body then goes to
/// the JSON check.
#[derive(Debug)]
pub(super) struct Unreadable;

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not readable without serialising")
    }
}

impl std::error::Error for Unreadable {}

impl ser::Error for Unreadable {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

/// serde_json's marker for a raw JSON value (and an arbitrary-precision number): written as is,
/// so only the JSON text tells what it holds.
fn is_raw(name: &str) -> bool {
    name.starts_with("$serde_json::private")
}

/// A typed body, serialised into the slots of the fields the rules name; every other field is
/// skipped unserialised.
pub(super) struct Object<'r> {
    /// The fields the rules name, one per slot.
    pub(super) names: &'r [&'static str],
    /// What was seen of each.
    pub(super) values: &'r mut [Option<Seen>],
}

impl Object<'_> {
    /// Reads `value` into every slot of `key`, if a rule names it (two rules may read one
    /// field); a later value of the same key replaces it, as JSON parsers keep the last one.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Unreadable> {
        let mut seen = None;
        for (slot, name) in self.values.iter_mut().zip(self.names) {
            if *name == key {
                if seen.is_none() {
                    seen = Some(value.serialize(Value)?);
                }
                *slot = seen;
            }
        }
        Ok(())
    }
}

/// The methods of a `Serializer` that refuse what the serialiser cannot read.
macro_rules! unreadable {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, Unreadable> {
            Err(Unreadable)
        })*
    };
}

impl<'r> Serializer for Object<'r> {
    type Ok = ();
    type Error = Unreadable;
    type SerializeSeq = ser::Impossible<(), Unreadable>;
    type SerializeTuple = ser::Impossible<(), Unreadable>;
    type SerializeTupleStruct = ser::Impossible<(), Unreadable>;
    type SerializeTupleVariant = ser::Impossible<(), Unreadable>;
    type SerializeMap = ObjectMap<'r>;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), Unreadable>;

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Self, Unreadable> {
        if is_raw(name) {
            return Err(Unreadable);
        }
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<ObjectMap<'r>, Unreadable> {
        Ok(ObjectMap {
            object: self,
            key: None,
        })
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unreadable> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unreadable> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unreadable> {
        Err(Unreadable)
    }
    unreadable! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Unreadable;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unreadable> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Unreadable> {
        Ok(())
    }
}

/// A body serialised as a map (a handwritten `Serialize`, or a struct with a flattened field).
pub(super) struct ObjectMap<'r> {
    object: Object<'r>,
    /// The first slot of the key whose value comes next, if a rule names it.
    key: Option<usize>,
}

impl ser::SerializeMap for ObjectMap<'_> {
    type Ok = ();
    type Error = Unreadable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unreadable> {
        self.key = key.serialize(Key(self.object.names))?;
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unreadable> {
        match self.key.take() {
            Some(first) => {
                let seen = value.serialize(Value)?;
                fill(self.object.names, self.object.values, first, seen);
                Ok(())
            }
            None => Ok(()),
        }
    }
    fn end(self) -> Result<(), Unreadable> {
        Ok(())
    }
}

/// A map key, as the index of its first slot (`None` for a field no rule names). Keys that JSON
/// would turn into strings (numbers, booleans) are left to the JSON check.
struct Key<'r>(&'r [&'static str]);

impl Serializer for Key<'_> {
    type Ok = Option<usize>;
    type Error = Unreadable;
    type SerializeSeq = ser::Impossible<Option<usize>, Unreadable>;
    type SerializeTuple = ser::Impossible<Option<usize>, Unreadable>;
    type SerializeTupleStruct = ser::Impossible<Option<usize>, Unreadable>;
    type SerializeTupleVariant = ser::Impossible<Option<usize>, Unreadable>;
    type SerializeMap = ser::Impossible<Option<usize>, Unreadable>;
    type SerializeStruct = ser::Impossible<Option<usize>, Unreadable>;
    type SerializeStructVariant = ser::Impossible<Option<usize>, Unreadable>;

    fn serialize_str(self, key: &str) -> Result<Option<usize>, Unreadable> {
        Ok(self.0.iter().position(|name| *name == key))
    }
    fn serialize_char(self, key: char) -> Result<Option<usize>, Unreadable> {
        self.serialize_str(key.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<usize>, Unreadable> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        key: &T,
    ) -> Result<Option<usize>, Unreadable> {
        key.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Option<usize>, Unreadable> {
        Err(Unreadable)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<usize>, Unreadable> {
        Err(Unreadable)
    }
    unreadable! {
        serialize_bool(bool) -> Option<usize>;
        serialize_i8(i8) -> Option<usize>;
        serialize_i16(i16) -> Option<usize>;
        serialize_i32(i32) -> Option<usize>;
        serialize_i64(i64) -> Option<usize>;
        serialize_u8(u8) -> Option<usize>;
        serialize_u16(u16) -> Option<usize>;
        serialize_u32(u32) -> Option<usize>;
        serialize_u64(u64) -> Option<usize>;
        serialize_f32(f32) -> Option<usize>;
        serialize_f64(f64) -> Option<usize>;
        serialize_bytes(&[u8]) -> Option<usize>;
        serialize_none() -> Option<usize>;
        serialize_unit() -> Option<usize>;
        serialize_unit_struct(&'static str) -> Option<usize>;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// A field's value, as what the rules need of it; what it contains is not serialised.
pub(super) struct Value;

impl Serializer for Value {
    type Ok = Seen;
    type Error = Unreadable;
    type SerializeSeq = Skip;
    type SerializeTuple = Skip;
    type SerializeTupleStruct = Skip;
    type SerializeTupleVariant = Skip;
    type SerializeMap = Skip;
    type SerializeStruct = Skip;
    type SerializeStructVariant = Skip;

    fn serialize_bool(self, _: bool) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_i8(self, _: i8) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_i16(self, _: i16) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_i32(self, _: i32) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_i64(self, _: i64) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_i128(self, _: i128) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_u8(self, _: u8) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_u16(self, _: u16) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_u32(self, _: u32) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_u64(self, _: u64) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_u128(self, _: u128) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    // serde_json writes a float that is not finite as `null`.
    fn serialize_f32(self, v: f32) -> Result<Seen, Unreadable> {
        Ok(if v.is_finite() {
            Seen::Other
        } else {
            Seen::Null
        })
    }
    fn serialize_f64(self, v: f64) -> Result<Seen, Unreadable> {
        Ok(if v.is_finite() {
            Seen::Other
        } else {
            Seen::Null
        })
    }
    fn serialize_char(self, v: char) -> Result<Seen, Unreadable> {
        Ok(Seen::string(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<Seen, Unreadable> {
        Ok(Seen::string(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_none(self) -> Result<Seen, Unreadable> {
        Ok(Seen::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Seen, Unreadable> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Seen, Unreadable> {
        Ok(Seen::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Seen, Unreadable> {
        Ok(Seen::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Seen, Unreadable> {
        Ok(Seen::string(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Seen, Unreadable> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Seen, Unreadable> {
        Ok(Seen::Other)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Skip, Unreadable> {
        Ok(Skip)
    }
    fn serialize_tuple(self, _: usize) -> Result<Skip, Unreadable> {
        Ok(Skip)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Skip, Unreadable> {
        Ok(Skip)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Skip, Unreadable> {
        Ok(Skip)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Skip, Unreadable> {
        Ok(Skip)
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Skip, Unreadable> {
        if is_raw(name) {
            return Err(Unreadable);
        }
        Ok(Skip)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Skip, Unreadable> {
        Ok(Skip)
    }
}

/// An array or object value: present, whatever it holds, so its contents are not serialised.
pub(super) struct Skip;

/// The `serde` traits of a compound value, each of whose parts `Skip` takes and drops: `skip!(Trait
/// { fn method(parts…) }…)`.
macro_rules! skip {
    ($($trait:ident { $(fn $method:ident($($arg:ty),*);)* })*) => {$(
        impl ser::$trait for Skip {
            type Ok = Seen;
            type Error = Unreadable;
            $(
                fn $method<T: Serialize + ?Sized>(&mut self, $(_: $arg),*) -> Result<(), Unreadable> {
                    Ok(())
                }
            )*
            fn end(self) -> Result<Seen, Unreadable> {
                Ok(Seen::Other)
            }
        }
    )*};
}

skip! {
    SerializeSeq { fn serialize_element(&T); }
    SerializeTuple { fn serialize_element(&T); }
    SerializeTupleStruct { fn serialize_field(&T); }
    SerializeTupleVariant { fn serialize_field(&T); }
    SerializeMap { fn serialize_key(&T); fn serialize_value(&T); }
    SerializeStruct { fn serialize_field(&'static str, &T); }
    SerializeStructVariant { fn serialize_field(&'static str, &T); }
}
