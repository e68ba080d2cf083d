//! How a generated struct reads itself from a JSON object and writes itself as one: the code
//! generator writes each struct's `Deserialize` as one loop over the object's fields, and its
//! `Serialize` as one call of [`serialize`] with the fields' values behind `dyn` (its `objects`
//! pass); this is the part they share. Not part of the API.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};

/// A field's value as [`serialize`] takes it: any `Serialize` type, behind `dyn`.
pub type Value<'a> = &'a dyn erased_serde::Serialize;

/// Writes a struct named `name` with the `fields` that have a value (wire name and value), in
/// their order; a field whose value is `None` is left out. One copy per serializer serves every
/// generated struct, where serde's derive compiles the same loop, unrolled, for each struct.
pub fn serialize<S: Serializer>(
    serializer: S,
    name: &'static str,
    fields: &[(&'static str, Option<Value<'_>>)],
) -> Result<S::Ok, S::Error> {
    let present = fields.iter().filter(|(_, value)| value.is_some()).count();
    let mut out = serializer.serialize_struct(name, present)?;
    for (wire, value) in fields {
        if let Some(value) = value {
            out.serialize_field(wire, value)?;
        }
    }
    out.end()
}

/// An `Option` field that serde's `skip_serializing_if = "Option::is_none"` would leave out
/// when it is `None`.
pub fn unless_none<T: serde::Serialize>(value: &Option<T>) -> Option<Value<'_>> {
    match value {
        Some(value) => Some(value),
        None => None,
    }
}

/// A generated struct read from a JSON object: what an error says was expected, and its
/// written-out `visit_map`. One visitor (see [`read`]) serves every struct, where each had a
/// visitor type of its own.
pub trait Object<'de>: Sized {
    /// `struct <Name>`.
    const EXPECTING: &'static str;
    /// The struct, from the object's entries.
    fn visit_map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// A generated struct's `deserialize`: `T` read from `deserializer` as a JSON object.
pub fn read<'de, T: Object<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(Reader(PhantomData))
}

/// The visitor of every [`Object`].
struct Reader<T>(PhantomData<T>);

impl<'de, T: Object<'de>> Visitor<'de> for Reader<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::visit_map(map)
    }
}

/// A field's name, read as its index in the struct's wire names (`.0`); `usize::MAX` for a
/// name the struct does not have, whose value the struct skips.
pub struct Field(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Field {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Field {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: Error>(self, name: &str) -> Result<usize, E> {
        Ok(self
            .0
            .iter()
            .position(|known| *known == name)
            .unwrap_or(usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeSeed;

    use super::{serialize, unless_none, Field, Value};

    #[test]
    fn a_name_reads_as_its_index_and_an_unknown_one_as_none() {
        let names = &["user_id", "type"];
        let read = |json: &str| {
            Field(names)
                .deserialize(&mut serde_json::Deserializer::from_str(json))
                .unwrap()
        };
        assert_eq!(read(r#""type""#), 1);
        assert_eq!(read(r#""user_id""#), 0);
        // An escaped name is compared unescaped.
        assert_eq!(read(r#""\u0074ype""#), 1);
        assert_eq!(read(r#""other""#), usize::MAX);
    }

    /// A struct read as the generated code reads one.
    #[derive(Debug, PartialEq)]
    struct Pair {
        key: String,
        count: Option<u32>,
    }

    impl<'de> serde::Deserialize<'de> for Pair {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            super::read(deserializer)
        }
    }

    impl<'de> super::Object<'de> for Pair {
        const EXPECTING: &'static str = "struct Pair";
        fn visit_map<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let (mut key, mut count) = (None, None);
            while let Some(field) = map.next_key_seed(Field(&["key", "count"]))? {
                match field {
                    0 => key = Some(map.next_value()?),
                    1 => count = map.next_value()?,
                    _ => drop(map.next_value::<serde::de::IgnoredAny>()?),
                }
            }
            let key = key.ok_or_else(|| serde::de::Error::missing_field("key"))?;
            Ok(Pair { key, count })
        }
    }

    #[test]
    fn one_visitor_reads_every_object_and_names_the_struct_it_expected() {
        let pair: Pair = serde_json::from_str(r#"{"count":2,"other":[1],"key":"k"}"#).unwrap();
        assert_eq!(
            pair,
            Pair {
                key: "k".into(),
                count: Some(2)
            }
        );
        let wrong = serde_json::from_str::<Pair>("[1]").unwrap_err().to_string();
        assert!(wrong.contains("expected struct Pair"), "{wrong}");
        let missing = serde_json::from_str::<Pair>("{}").unwrap_err().to_string();
        assert!(missing.contains("missing field `key`"), "{missing}");
    }

    struct Member {
        name: String,
        department: Option<String>,
        manager: Option<u32>,
    }

    impl serde::Serialize for Member {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize(
                serializer,
                "Member",
                &[
                    ("name", Some(&self.name as Value<'_>)),
                    ("department_id", unless_none(&self.department)),
                    ("manager", Some(&self.manager as Value<'_>)),
                ],
            )
        }
    }

    #[test]
    fn a_struct_writes_its_present_fields_in_order_under_their_wire_names() {
        let member = Member {
            name: "Ann".into(),
            department: Some("od-1".into()),
            manager: Some(7),
        };
        assert_eq!(
            serde_json::to_string(&member).unwrap(),
            r#"{"name":"Ann","department_id":"od-1","manager":7}"#
        );
        // `unless_none` leaves the field out; a plain `Option` writes `null`.
        let alone = Member {
            name: "Bo".into(),
            department: None,
            manager: None,
        };
        assert_eq!(
            serde_json::to_string(&alone).unwrap(),
            r#"{"name":"Bo","manager":null}"#
        );
    }
}
