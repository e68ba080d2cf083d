//! An operation's request, worked out once from its builder's checked values: [`Plan`].
//!
//! The generated `prepare_direct` of every operation ends in one chain of calls here — its
//! method and path, the builder's path and query values, its JSON body — instead of a function
//! of its own that builds the request with reqwest's generic builder. So an operation costs the
//! compiler a few calls of non-generic functions, and the URL (path and query encoded) and the
//! body are written once per call; each attempt sends a copy.

use std::fmt::Display;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method};
use serde::Serialize;

use super::call::{Prepared, Requests};
use super::quirks::JSON_UTF8;
use crate::error::Error;
use crate::object::Value;

/// An operation's request: its method, its URL (path and query encoded), whether it asks for
/// JSON, its header parameters and its JSON body. Made by the generated `prepare_direct`; each
/// attempt's request is a copy ([`Requests::next`]).
pub struct Plan {
    method: Method,
    url: Result<reqwest::Url, String>,
    accept_json: bool,
    headers: Option<HeaderMap>,
    body: Option<Bytes>,
}

impl Plan {
    /// The request `method` to `base` followed by `path`, whose `{}`s are `params` in turn, each
    /// percent-encoded as one path segment (as progenitor encodes a path parameter).
    pub fn new(method: Method, base: &str, path: &str, params: &[&dyn Display]) -> Self {
        let mut url = String::with_capacity(base.len() + path.len() + 16 * params.len());
        url.push_str(base);
        let mut pieces = path.split("{}");
        url.push_str(pieces.next().unwrap_or_default());
        let mut params = params.iter();
        for piece in pieces {
            if let Some(param) = params.next() {
                url.push_str(&progenitor_client::encode_path(&param.to_string()));
            }
            url.push_str(piece);
        }
        let url = match reqwest::Url::parse(&url) {
            Ok(url) if url.has_host() => Ok(url),
            Ok(_) => Err(format!("the URL {url} has no host")),
            Err(e) => Err(format!("the URL {url} is not valid: {e}")),
        };
        Self {
            method,
            url,
            accept_json: false,
            headers: None,
            body: None,
        }
    }

    /// Asks for a JSON answer (`Accept: application/json`).
    pub fn accept_json(mut self) -> Self {
        self.accept_json = true;
        self
    }

    /// The query parameters `values` (name, value), appended in their order, each written as
    /// progenitor writes a query parameter: a `None` is left out, a list repeats the name, an
    /// enum is its wire value.
    pub fn query(mut self, values: &[(&str, Value<'_>)]) -> Self {
        if let Ok(url) = &mut self.url {
            let written = {
                let mut pairs = url.query_pairs_mut();
                values.iter().try_for_each(|(name, value)| {
                    progenitor_client::QueryParam::new(name, value)
                        .serialize(serde_urlencoded::Serializer::new(&mut pairs))
                        .map(drop)
                })
            };
            if url.query() == Some("") {
                url.set_query(None);
            }
            if let Err(e) = written {
                self.url = Err(format!("a query parameter cannot be written: {e}"));
            }
        }
        self
    }

    /// The header parameters `headers`, each replacing a header of its name.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers = Some(headers);
        self
    }

    /// `json` (a serialised body, see [`super::ExtraFields::merge`]) as the body.
    pub fn json(mut self, json: Vec<u8>) -> Self {
        self.body = Some(Bytes::from(json));
        self
    }

    /// The requests of the plan, boxed as every operation's are; or why there can be none (a
    /// base URL or a query value that does not make a URL), before anything is sent.
    pub fn prepared<'a>(self) -> Result<Prepared<'a>, String> {
        Ok(Box::new(Planned {
            method: self.method,
            url: self.url?,
            accept_json: self.accept_json,
            headers: self.headers,
            body: self.body,
        }))
    }
}

/// A [`Plan`] whose URL was made: what each attempt's request is a copy of.
struct Planned {
    method: Method,
    url: reqwest::Url,
    accept_json: bool,
    headers: Option<HeaderMap>,
    body: Option<Bytes>,
}

impl Requests for Planned {
    fn next(&mut self, _: &reqwest::Client) -> Result<reqwest::Request, Error> {
        let mut request = reqwest::Request::new(self.method.clone(), self.url.clone());
        let headers = request.headers_mut();
        if self.accept_json {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if self.body.is_some() {
            // **json_content_type**, see `quirks`.
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        }
        if let Some(extra) = &self.headers {
            for name in extra.keys() {
                headers.remove(name);
            }
            for (name, value) in extra {
                headers.append(name, value.clone());
            }
        }
        if let Some(body) = &self.body {
            *request.body_mut() = Some(body.clone().into());
        }
        Ok(request)
    }

    fn again(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(plan: Plan) -> reqwest::Request {
        let mut requests = plan.prepared().expect("a valid plan");
        requests.next(&reqwest::Client::new()).expect("a request")
    }

    #[test]
    fn query_values_are_written_as_progenitor_writes_query_parameters() {
        let page_size: Option<i64> = Some(20);
        let page_token: Option<String> = None;
        let ids = vec!["a b".to_string(), "c&d".to_string()];
        let kind = crate::UserIdType::UnionId;
        let plan = Plan::new(
            Method::GET,
            "http://127.0.0.1:9",
            "/open-apis/x?fixed=1",
            &[],
        )
        .query(&[
            ("page_size", &page_size as Value<'_>),
            ("page_token", &page_token as Value<'_>),
            ("ids", &ids as Value<'_>),
            ("user_id_type", &kind as Value<'_>),
        ]);
        assert_eq!(
            request(plan).url().query(),
            Some("fixed=1&page_size=20&ids=a+b&ids=c%26d&user_id_type=union_id")
        );
        let none: Option<String> = None;
        let plan = Plan::new(Method::GET, "http://127.0.0.1:9", "/x", &[])
            .query(&[("page_token", &none as Value<'_>)]);
        assert_eq!(request(plan).url().as_str(), "http://127.0.0.1:9/x");
    }

    #[test]
    fn path_parameters_are_encoded_as_one_segment_each() {
        let id = "a/b c".to_string();
        let plan = Plan::new(
            Method::DELETE,
            "http://127.0.0.1:9",
            "/open-apis/x/{}/y/{}",
            &[&id as &dyn Display, &7 as &dyn Display],
        );
        let request = request(plan);
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(request.url().path(), "/open-apis/x/a%2Fb%20c/y/7");
    }

    #[test]
    fn a_json_answer_is_asked_for() {
        let request = request(Plan::new(Method::GET, "http://127.0.0.1", "/", &[]).accept_json());
        assert_eq!(request.headers()[ACCEPT], "application/json");
        assert!(request.body().is_none());
    }

    #[test]
    fn header_parameters_replace_headers_of_their_name() {
        let mut extra = HeaderMap::new();
        extra.append("x-request-tag", HeaderValue::from_static("a"));
        extra.append("x-request-tag", HeaderValue::from_static("b"));
        extra.append(ACCEPT, HeaderValue::from_static("text/plain"));
        let plan = Plan::new(Method::GET, "http://127.0.0.1", "/", &[])
            .accept_json()
            .headers(extra);
        let request = request(plan);
        let tags: Vec<_> = request.headers().get_all("x-request-tag").iter().collect();
        assert_eq!(tags, ["a", "b"]);
        assert_eq!(request.headers()[ACCEPT], "text/plain");
    }

    #[test]
    fn a_base_url_that_makes_no_url_is_refused_before_sending() {
        let refused = Plan::new(Method::GET, "not a url", "/x", &[]).prepared();
        assert!(refused.is_err_and(|why| why.contains("not a url")));
    }

    /// Each attempt's request is a copy of the plan's.
    #[test]
    fn each_attempt_builds_its_request() {
        let mut requests = Plan::new(Method::POST, "http://127.0.0.1:1", "/a", &[])
            .json(b"{}".to_vec())
            .prepared()
            .unwrap();
        assert!(requests.again());
        let http = reqwest::Client::new();
        let first = requests.next(&http).unwrap();
        let second = requests.next(&http).unwrap();
        assert_eq!(first.url().as_str(), "http://127.0.0.1:1/a");
        assert_eq!(second.url(), first.url());
        assert_eq!(
            second.body().and_then(reqwest::Body::as_bytes),
            Some(&b"{}"[..])
        );
    }
}
