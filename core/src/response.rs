//! The body of most of Feishu's JSON answers: `code`, `msg` and the operation's `data`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::object::Field;
use crate::runtime::{Envelope, WithData};

/// The body of an operation's answer, `{"code": …, "msg": …, "data": …}`: what `send()` returns
/// (with the status and headers) for an operation whose answer has this shape, named by the
/// operation (`ChatGetResponse` is `ResponseBody<ChatGetResponseData>`). `call()` returns its
/// `data`.
///
/// `code` and `msg` are required, `data` may be absent (`None`); other fields are skipped.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ResponseBody<D> {
    /// Feishu's code: 0 for success (an error code is the crate's [`Error`](crate::Error)).
    pub code: i64,
    /// The operation's data.
    pub data: Option<D>,
    /// Feishu's message.
    pub msg: String,
}

impl<'de, D: Deserialize<'de>> Deserialize<'de> for ResponseBody<D> {
    fn deserialize<De: Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        deserializer.deserialize_map(Fields(PhantomData))
    }
}

/// Reads the fields of a [`ResponseBody`] (written out as the generated structs' are, see
/// [`crate::object`]).
struct Fields<D>(PhantomData<D>);

impl<'de, D: Deserialize<'de>> Visitor<'de> for Fields<D> {
    type Value = ResponseBody<D>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct ResponseBody")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut code, mut data, mut msg) = (None, None, None);
        while let Some(field) = map.next_key_seed(Field(&["code", "data", "msg"]))? {
            match field {
                0 => code = Some(map.next_value()?),
                1 => data = map.next_value()?,
                2 => msg = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ResponseBody {
            code: code.ok_or_else(|| A::Error::missing_field("code"))?,
            data,
            msg: msg.ok_or_else(|| A::Error::missing_field("msg"))?,
        })
    }
}

impl<D: DeserializeOwned + Send + 'static> Envelope for ResponseBody<D> {
    fn code(&self) -> i64 {
        self.code
    }
}

impl<D: DeserializeOwned + Send + 'static> WithData for ResponseBody<D> {
    type Data = D;

    fn data(self) -> Option<D> {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_msg_and_data_and_skips_the_rest() {
        let body: ResponseBody<Vec<u8>> =
            serde_json::from_str(r#"{"code":0,"extra":{"a":1},"msg":"ok","data":[1,2]}"#).unwrap();
        assert_eq!(
            (body.code, body.data, body.msg.as_str()),
            (0, Some(vec![1, 2]), "ok")
        );
        let body: ResponseBody<Vec<u8>> = serde_json::from_str(r#"{"code":1,"msg":"no"}"#).unwrap();
        assert_eq!(body.data, None);
        let body: ResponseBody<Vec<u8>> =
            serde_json::from_str(r#"{"code":1,"msg":"no","data":null}"#).unwrap();
        assert_eq!(body.data, None);
    }

    #[test]
    fn code_and_msg_are_required() {
        let missing = serde_json::from_str::<ResponseBody<()>>(r#"{"code":0}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `msg`"),
            "{missing}"
        );
        let missing = serde_json::from_str::<ResponseBody<()>>(r#"{"msg":""}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `code`"),
            "{missing}"
        );
    }
}
