//! What the builders' setters share: the conversion of the value given and its error message,
//! written once instead of in each setter (the code generator's `setters` pass). Not part of the
//! API.

use std::fmt::Display;

/// A struct builder's setter (typify's): `value` converted to the field's type, or why not.
pub fn value<T: TryInto<U>, U>(value: T, field: &str) -> Result<U, String>
where
    T::Error: Display,
{
    match value.try_into() {
        Ok(value) => Ok(value),
        Err(e) => Err(format!("error converting supplied value for {field}: {e}")),
    }
}

/// [`value`] for an optional field whose setter takes the value itself.
pub fn some<T: TryInto<U>, U>(value: T, field: &str) -> Result<Option<U>, String>
where
    T::Error: Display,
{
    self::value(value, field).map(Some)
}

/// An operation builder's setter (progenitor's): `value` converted to the parameter's type, or
/// `failed`.
pub fn parameter<T: TryInto<U>, U>(value: T, failed: &str) -> Result<U, String> {
    match value.try_into() {
        Ok(value) => Ok(value),
        Err(_) => Err(failed.to_string()),
    }
}

/// [`parameter`] for an optional parameter.
pub fn some_parameter<T: TryInto<U>, U>(value: T, failed: &str) -> Result<Option<U>, String> {
    parameter(value, failed).map(Some)
}

/// An operation builder's `body` setter (progenitor's): `value` converted to the body type `T`
/// (inferred from the setter's bound), then to its builder `B`, or `failed` with the error.
pub fn body<V: TryInto<T>, T, B: From<T>>(value: V, failed: &str) -> Result<B, String>
where
    V::Error: Display,
{
    match value.try_into() {
        Ok(value) => Ok(B::from(value)),
        Err(e) => Err(format!("{failed}: {e}")),
    }
}

/// [`body`] for a builder whose body starts empty (`None`).
pub fn some_body<V: TryInto<T>, T, B: From<T>>(value: V, failed: &str) -> Result<Option<B>, String>
where
    V::Error: Display,
{
    body(value, failed).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Even(u32);

    impl TryFrom<u32> for Even {
        type Error = &'static str;
        fn try_from(n: u32) -> Result<Self, Self::Error> {
            if n.is_multiple_of(2) {
                Ok(Even(n))
            } else {
                Err("an odd number")
            }
        }
    }

    #[test]
    fn a_setter_keeps_the_value_or_says_which_field_could_not_take_it() {
        assert_eq!(value::<_, String>("x", "name"), Ok("x".to_string()));
        assert_eq!(some::<_, String>("x", "name"), Ok(Some("x".to_string())));
        assert_eq!(
            value::<_, Even>(3, "count").unwrap_err(),
            "error converting supplied value for count: an odd number"
        );
        assert_eq!(some::<_, Even>(4, "count").unwrap().unwrap().0, 4);
        let failed = "conversion to `Even` for count failed";
        assert_eq!(parameter::<_, Even>(5, failed).unwrap_err(), failed);
        assert_eq!(some_parameter::<_, Even>(5, failed).unwrap_err(), failed);
        assert_eq!(parameter::<_, Even>(6, failed).unwrap().0, 6);
        let failed = "conversion to `Even` for body failed";
        assert_eq!(
            body::<_, Even, Even>(7, failed).unwrap_err(),
            "conversion to `Even` for body failed: an odd number"
        );
        assert_eq!(some_body::<_, Even, Even>(8, failed).unwrap().unwrap().0, 8);
    }
}
