//! What the open enumerations share: the generated ones (every string enum of a spec, see the
//! code generator's `open_enums`) and the handwritten ones ([`string_enum!`](crate::string_enum),
//! [`int_enum!`](crate::int_enum)). A value the spec does not list is kept in the enum's
//! `Other` variant, never refused. Not part of the API.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, Error, Visitor};

/// Deserialises a string enum from any string: the listed values become their variants, any
/// other string `Other` (`T`'s `From` impls decide).
pub fn deserialize_str<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: for<'a> From<&'a str> + From<String>,
    D: Deserializer<'de>,
{
    deserializer.deserialize_str(AnyString(PhantomData))
}

struct AnyString<T>(PhantomData<T>);

impl<'de, T> Visitor<'de> for AnyString<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// The JSON Schema of a string enum: a string, one of the listed values (the values it also
/// keeps that the spec does not list are not described).
#[cfg(feature = "schemars")]
pub fn string_schema(values: &[&str]) -> schemars::schema::Schema {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        enum_values: Some(
            values
                .iter()
                .map(|v| serde_json::Value::String((*v).to_string()))
                .collect(),
        ),
        ..Default::default()
    }
    .into()
}

#[cfg(test)]
mod tests {
    use serde::de::value::{Error as ValueError, StrDeserializer, StringDeserializer};
    use serde::de::IntoDeserializer;

    #[derive(Debug, PartialEq)]
    enum Mode {
        Group,
        Other(String),
    }

    impl From<&str> for Mode {
        fn from(value: &str) -> Self {
            match value {
                "group" => Mode::Group,
                other => Mode::Other(other.to_string()),
            }
        }
    }

    impl From<String> for Mode {
        fn from(value: String) -> Self {
            match value.as_str() {
                "group" => Mode::Group,
                _ => Mode::Other(value),
            }
        }
    }

    #[test]
    fn any_string_decodes_listed_or_not() {
        let listed: StrDeserializer<'_, ValueError> = "group".into_deserializer();
        assert_eq!(super::deserialize_str::<Mode, _>(listed), Ok(Mode::Group));
        let new: StringDeserializer<ValueError> = "channel".to_string().into_deserializer();
        assert_eq!(
            super::deserialize_str::<Mode, _>(new),
            Ok(Mode::Other("channel".into()))
        );
        let from_json: Result<Mode, _> =
            super::deserialize_str(&mut serde_json::Deserializer::from_str("\"thread\""));
        assert_eq!(from_json.unwrap(), Mode::Other("thread".into()));
        let number: Result<Mode, _> =
            super::deserialize_str(&mut serde_json::Deserializer::from_str("3"));
        assert!(number.is_err(), "not a string");
    }
}
