//! Macros for the Rust enums that replace the spec's enum schemas (`x-rust-type`).
//!
//! Each enum serialises to exactly the spec's wire values, describes itself with the same values
//! in its JSON Schema, and parses from its name or its wire value (`"ended"`, `"2"`,
//! `"open_id"`). Like the generated enums (see [`open_enum`](crate::open_enum)), each is open: a
//! value the spec does not list is its `Other` variant, decoded from an answer and sent in a
//! request as it is, never an error.

/// An enum carried as a string on the wire; one variant carries `#[default]`. Any other string is
/// `Other(String)`.
#[macro_export]
#[doc(hidden)]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the spec does not list: kept as it came, sent as it is.
            Other(::std::string::String),
        }

        impl $name {
            /// Every value the spec lists, in its order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(value) => value,
                }
            }

            fn listed(value: &str) -> ::std::option::Option<Self> {
                match value {
                    $($wire => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Any string: a listed value is its variant, any other `Other`.
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(s.into())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::listed(value).unwrap_or_else(|| Self::Other(value.to_string()))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match Self::listed(&value) {
                    Some(listed) => listed,
                    None => Self::Other(value),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::open_enum::deserialize_str(d)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::gen::SchemaGenerator) -> ::schemars::schema::Schema {
                $crate::open_enum::string_schema(&[$($wire),+])
            }
        }
    };
}

/// An enum carried as an integer on the wire; parses from its name or its number. Any other
/// integer is `Other(i64)`.
#[macro_export]
#[doc(hidden)]
macro_rules! int_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal, $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the spec does not list: kept as it came, sent as it is.
            Other(i64),
        }

        impl $name {
            /// Every value the spec lists, in its order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The integer on the wire.
            pub fn value(self) -> i64 {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Other(value) => value,
                }
            }

            /// The lower-case name used by [`Display`](std::fmt::Display) and accepted by
            /// [`FromStr`](std::str::FromStr); `None` for a value the spec does not list (shown as
            /// its number).
            pub fn name(self) -> ::std::option::Option<&'static str> {
                match self {
                    $(Self::$variant => Some($label),)+
                    Self::Other(_) => None,
                }
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                match value {
                    $($value => Self::$variant,)+
                    other => Self::Other(other),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => ::std::write!(f, "{}", self.value()),
                }
            }
        }

        /// A name or any integer; anything else is an error.
        impl ::std::str::FromStr for $name {
            type Err = $crate::rules::InvalidEnumValue;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($label => Ok(Self::$variant),)+
                    _ => match s.parse::<i64>() {
                        Ok(v) => Ok(v.into()),
                        Err(_) => Err($crate::rules::InvalidEnumValue {
                            type_name: stringify!($name),
                            value: s.to_string(),
                            expected: &[$(concat!($value, " (", $label, ")")),+],
                        }),
                    },
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(d).map(Self::from)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::gen::SchemaGenerator) -> ::schemars::schema::Schema {
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::Integer.into()),
                    enum_values: Some(vec![$(::serde_json::json!($value)),+]),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

/// An ID carried as a non-empty string on the wire.
#[macro_export]
#[doc(hidden)]
macro_rules! id_string {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(::std::string::String);

        impl $name {
            /// The ID as sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::rules::InvalidId;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                if s.trim().is_empty() {
                    Err($crate::rules::InvalidId { field: $field })
                } else {
                    Ok(Self(s.to_string()))
                }
            }
        }

        impl ::std::convert::TryFrom<&str> for $name {
            type Error = $crate::rules::InvalidId;
            fn try_from(s: &str) -> ::std::result::Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for $name {
            type Error = $crate::rules::InvalidId;
            fn try_from(s: ::std::string::String) -> ::std::result::Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::gen::SchemaGenerator) -> ::schemars::schema::Schema {
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    string: Some(Box::new(::schemars::schema::StringValidation {
                        min_length: Some(1),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}
