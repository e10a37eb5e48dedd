//! A tenant token's claims, read in place from the decoded payload: strings borrowed, nothing
//! buffered. Accepts exactly what jwt-simple's `JWTClaims<AtlassianClaims>` accepts, and reads the
//! same values. That type is a serde struct with `AtlassianClaims` flattened into it, so:
//! * only a JSON object (a flattened struct is read as a map, never as an array);
//! * `iat`/`exp`/`nbf` are numbers read by jwt-simple's timestamp visitor (negative refused,
//!   floats cast; `null` refused); `iss`/`sub`/`jti`/`nonce` strings or `null`; `aud` a string or
//!   an array of strings; none of these twice;
//! * every other value is parsed as serde buffers it (`deserialize_any`: numbers must fit an
//!   `f64`), then `qsh` must be a string or `null` and `context` anything, neither twice;
//! * `context.license.active` is read as from a `serde_json::Value` (a later duplicate key wins).
//!
//! `jwt::reference` (tests) compares this with jwt-simple on generated payloads.

use std::borrow::Cow;
use std::fmt;

use jwt_simple::prelude::Duration as Coarse;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use stj_core::Licence;

/// Verified claims; times in coarse-clock ticks, as jwt-simple compares them.
#[derive(Debug, Default)]
pub(crate) struct Claims<'a> {
    pub(crate) issued_at: Option<u64>,
    pub(crate) expires_at: Option<u64>,
    pub(crate) invalid_before: Option<u64>,
    pub(crate) issuer: Option<Cow<'a, str>>,
    pub(crate) subject: Option<Cow<'a, str>>,
    pub(crate) qsh: Option<Cow<'a, str>>,
    /// `context.license.active`, if the token has it as a boolean.
    pub(crate) context_licence: Option<Licence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Iat,
    Exp,
    Nbf,
    Iss,
    Sub,
    Aud,
    Jti,
    Nonce,
    Qsh,
    Context,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Names;
        impl Visitor<'_> for Names {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "iat" => Field::Iat,
                    "exp" => Field::Exp,
                    "nbf" => Field::Nbf,
                    "iss" => Field::Iss,
                    "sub" => Field::Sub,
                    "aud" => Field::Aud,
                    "jti" => Field::Jti,
                    "nonce" => Field::Nonce,
                    "qsh" => Field::Qsh,
                    "context" => Field::Context,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(Names)
    }
}

impl<'de> Deserialize<'de> for Claims<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ClaimsVisitor)
    }
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = Claims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JWT claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims<'de>, A::Error> {
        let mut claims = Claims::default();
        // One bit per named claim (`Field` has 11 variants): a set without an allocation.
        let mut seen: u16 = 0;
        while let Some(field) = map.next_key::<Field>()? {
            if field != Field::Other {
                let bit = 1u16 << (field as u16);
                if seen & bit != 0 {
                    return Err(de::Error::custom("duplicate claim"));
                }
                seen |= bit;
            }
            match field {
                Field::Iat => claims.issued_at = Some(map.next_value::<Timestamp>()?.0),
                Field::Exp => claims.expires_at = Some(map.next_value::<Timestamp>()?.0),
                Field::Nbf => claims.invalid_before = Some(map.next_value::<Timestamp>()?.0),
                Field::Iss => claims.issuer = map.next_value::<Option<Str<'de>>>()?.map(|s| s.0),
                Field::Sub => claims.subject = map.next_value::<Option<Str<'de>>>()?.map(|s| s.0),
                Field::Aud => {
                    map.next_value::<Audiences>()?;
                }
                Field::Jti | Field::Nonce => {
                    map.next_value::<Option<Text>>()?;
                }
                Field::Qsh => claims.qsh = map.next_value::<Qsh<'de>>()?.0,
                Field::Context => claims.context_licence = map.next_value::<Context>()?.0,
                Field::Other => {
                    map.next_value::<Any>()?;
                }
            }
        }
        Ok(claims)
    }
}

/// jwt-simple's `unix_timestamp::deserialize`, in coarse ticks.
struct Timestamp(u64);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Seconds;
        impl Visitor<'_> for Seconds {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Unix timestamp")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<u64, E> {
                u64::try_from(value).map_err(|_| E::custom("Unix timestamp must not be negative"))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<u64, E> {
                Ok(value)
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "jwt-simple casts (saturating) exactly so"
            )]
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<u64, E> {
                Ok(value as u64)
            }
        }
        let seconds = deserializer.deserialize_i64(Seconds)?;
        Ok(Self(Coarse::from_secs(seconds).as_ticks()))
    }
}

/// A string as `String` accepts it, borrowed from the payload unless it had escapes.
pub(crate) struct Str<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Chars;
        impl<'de> Visitor<'de> for Chars {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(s))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(s.to_owned()))
            }
        }
        deserializer.deserialize_str(Chars).map(Str)
    }
}

/// A string as `String` accepts it, checked and dropped.
#[derive(Debug)]
pub(crate) struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Chars;
        impl Visitor<'_> for Chars {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Text, E> {
                Ok(Text)
            }
        }
        deserializer.deserialize_string(Chars)
    }
}

/// jwt-simple's `audiences::deserialize`: a string or an array of strings, checked and dropped.
struct Audiences;

impl<'de> Deserialize<'de> for Audiences {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = Audiences;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Audiences")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Audiences, E> {
                Ok(Audiences)
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Audiences, S::Error> {
                while seq.next_element::<Text>()?.is_some() {}
                Ok(Audiences)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// What a visitor over any JSON value answers for the kinds it does not look into.
macro_rules! any_scalar {
    () => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
            while seq.next_element::<Any>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

/// Any JSON value, parsed as serde's buffering parses it (`deserialize_any` all the way down), kept
/// nowhere.
#[derive(Debug, Default)]
struct Any;

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Everything;
        impl<'de> Visitor<'de> for Everything {
            type Value = Any;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            any_scalar!();
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Any, E> {
                Ok(Any)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Any, M::Error> {
                while map.next_entry::<Any, Any>()?.is_some() {}
                Ok(Any)
            }
        }
        deserializer.deserialize_any(Everything)
    }
}

/// `qsh` after buffering: a string or `null`.
struct Qsh<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Qsh<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringOrNull;
        impl<'de> Visitor<'de> for StringOrNull {
            type Value = Option<Cow<'de, str>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Some(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Some(Cow::Owned(s.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        deserializer.deserialize_any(StringOrNull).map(Qsh)
    }
}

/// `context`: any value; what `value.get("license")?.get("active")?.as_bool()` would give.
struct Context(Option<Licence>);

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let active = deserializer.deserialize_any(Member("license"))?;
        Ok(Self(active.map(|a| if a { Licence::Active } else { Licence::Inactive })))
    }
}

/// In an object, the last value under `.0`, read as [`Member`]`("active")` would read it when
/// `.0` is "license", as a boolean when it is "active"; `None` for anything else.
#[derive(Clone, Copy)]
struct Member(&'static str);

impl<'de> Visitor<'de> for Member {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    any_scalar!();

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<bool>, E> {
        Ok(None)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Option<bool>, M::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.0 != self.0 {
                map.next_value::<Any>()?;
            } else if self.0 == "active" {
                found = map.next_value::<Active>()?.0;
            } else {
                found = map.next_value::<Nested>()?.0;
            }
        }
        Ok(found)
    }
}

/// `license`'s value: `active` within it.
struct Nested(Option<bool>);

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Member("active")).map(Nested)
    }
}

/// `active`'s value: a boolean, or nothing.
struct Active(Option<bool>);

impl<'de> Deserialize<'de> for Active {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Flag;
        impl<'de> Visitor<'de> for Flag {
            type Value = Option<bool>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            any_scalar!();
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<bool>, E> {
                Ok(Some(b))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Option<bool>, M::Error> {
                while map.next_entry::<Any, Any>()?.is_some() {}
                Ok(None)
            }
        }
        deserializer.deserialize_any(Flag).map(Active)
    }
}
