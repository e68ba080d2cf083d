//! Macros for the Rust enums that replace the spec's enum schemas (`x-rust-type`).
//!
//! Each enum serialises to exactly the spec's wire values, refuses anything else when
//! deserialising, describes itself with the same values in its JSON Schema, and parses from its
//! name or its wire value (`"ended"`, `"2"`, `"open_id"`).

/// An enum carried as a string on the wire; one variant carries `#[default]`.
#[macro_export]
#[doc(hidden)]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire,)+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::rules::InvalidEnumValue;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($wire => Ok(Self::$variant),)+
                    _ => Err($crate::rules::InvalidEnumValue {
                        type_name: stringify!($name),
                        value: s.to_string(),
                        expected: &[$($wire),+],
                    }),
                }
            }
        }

        impl ::std::convert::TryFrom<&str> for $name {
            type Error = $crate::rules::InvalidEnumValue;
            fn try_from(s: &str) -> ::std::result::Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
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
                    enum_values: Some(vec![$(::serde_json::json!($wire)),+]),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

/// An enum carried as an integer on the wire; parses from its name or its number.
#[macro_export]
#[doc(hidden)]
macro_rules! int_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal, $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value,)+
        }

        impl $name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The integer on the wire.
            pub fn value(self) -> i64 {
                self as i64
            }

            /// The lower-case name used by [`Display`](std::fmt::Display) and accepted by
            /// [`FromStr`](std::str::FromStr).
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }

        impl ::std::convert::TryFrom<i64> for $name {
            type Error = $crate::rules::InvalidEnumValue;
            fn try_from(v: i64) -> ::std::result::Result<Self, Self::Error> {
                match v {
                    $($value => Ok(Self::$variant),)+
                    _ => Err($crate::rules::InvalidEnumValue {
                        type_name: stringify!($name),
                        value: v.to_string(),
                        expected: &[$(concat!($value, " (", $label, ")")),+],
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::rules::InvalidEnumValue;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($label => Ok(Self::$variant),)+
                    _ => match s.parse::<i64>() {
                        Ok(v) => Self::try_from(v),
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
                let v = <i64 as ::serde::Deserialize>::deserialize(d)?;
                Self::try_from(v).map_err(::serde::de::Error::custom)
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
