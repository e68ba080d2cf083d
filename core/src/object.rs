//! How a generated struct reads itself from a JSON object: the code generator writes each
//! struct's `Deserialize` as one loop over the object's fields (its `objects` pass), and this
//! is the part they share. Not part of the API.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, Visitor};

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

    use super::Field;

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
}
