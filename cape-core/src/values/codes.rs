//! Stable codes: the enums whose text form is a public contract (diagnostic, finding, pre-flight, reason and
//! CAPE error codes, rule-set check ids, the words of ES-003 status columns), all made by one macro so that
//! each has the same shape: the enum, its `ALL` list, the code method, `Display` and `FromStr` by the code,
//! and serde `Serialize`/`Deserialize` as the code string (so that values holding them round-trip).

use std::fmt;

/// A text that is none of an enum's stable codes (from `FromStr` or serde on a stable-code enum).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// The enum's name, e.g. `DiagnosticCode`.
    pub type_name: &'static str,
    /// The text given, cut by [`echo_value`](crate::diagnostic::echo_value).
    pub value: String,
}

impl UnknownCode {
    pub(crate) fn new(type_name: &'static str, value: &str) -> Self {
        UnknownCode { type_name, value: crate::diagnostic::echo_value(value).into_owned() }
    }
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a {} code", self.value, self.type_name)
    }
}

impl std::error::Error for UnknownCode {}

/// Defines a stable-code enum: `stable_codes! { #[doc…] pub enum Name: as_str { #[doc…] Variant = "CODE", … } }`.
///
/// Generates the `#[non_exhaustive]` enum (`Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord`), `ALL`
/// (every variant in declaration order), the code method under the given name (`as_str`, `name`, `id`...),
/// `Display` and serde `Serialize` writing the code, and `FromStr` and serde `Deserialize` reading exactly a
/// code ([`UnknownCode`] otherwise). Per-enum facts (severity, meaning, CBP's message...) are added by the
/// module in an `impl` of its own.
macro_rules! stable_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $code_fn:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable code (a public contract: never renamed).
            pub fn $code_fn(self) -> &'static str {
                match self { $( $name::$variant => $code, )* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.$code_fn())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::values::codes::UnknownCode;

            /// Reads exactly a stable code.
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $( $code => Ok($name::$variant), )*
                    _ => Err($crate::values::codes::UnknownCode::new(stringify!($name), s)),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.$code_fn())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(|_| {
                    const CODES: &[&str] = &[$($code,)*];
                    <D::Error as ::serde::de::Error>::unknown_variant(&s, CODES)
                })
            }
        }
    };
}

pub(crate) use stable_codes;

#[cfg(test)]
mod tests {
    use std::fmt::Debug;
    use std::str::FromStr;

    use serde::de::DeserializeOwned;
    use serde::Serialize;

    use crate::claim::{CapeErrorKind, Check, PreflightCode, ReasonCode};
    use crate::model::{AdCvdStatus, ImporterClass, LiquidationStatus, ProtestStatus, SummaryStatus};
    use crate::{DiagnosticCode, EntryType, FindingCode};

    /// Every value: its code is unique, `Display`s and serialises as itself, and reads back through `FromStr` and
    /// serde; a text that is no code is refused by both.
    fn round_trip<T>(all: &[T], code: fn(T) -> &'static str)
    where
        T: Copy + Eq + Debug + std::fmt::Display + FromStr + Serialize + DeserializeOwned,
    {
        let mut seen = std::collections::HashSet::new();
        for &v in all {
            let c = code(v);
            assert!(seen.insert(c), "{c} twice");
            assert_eq!(v.to_string(), c);
            assert_eq!(c.parse::<T>().ok(), Some(v));
            let json = serde_json::to_string(&v).expect("serialise");
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<T>(&json).expect("deserialise"), v);
        }
        assert!(!all.is_empty());
        assert!("NO SUCH CODE".parse::<T>().is_err());
        assert!(serde_json::from_str::<T>("\"NO SUCH CODE\"").is_err());
    }

    #[test]
    fn every_stable_code_enum_round_trips() {
        round_trip(DiagnosticCode::ALL, DiagnosticCode::as_str);
        round_trip(FindingCode::ALL, FindingCode::as_str);
        round_trip(PreflightCode::ALL, PreflightCode::as_str);
        round_trip(ReasonCode::ALL, ReasonCode::as_str);
        round_trip(CapeErrorKind::ALL, CapeErrorKind::name);
        round_trip(Check::ALL, Check::id);
        round_trip(LiquidationStatus::ALL, LiquidationStatus::name);
        round_trip(ProtestStatus::ALL, ProtestStatus::name);
        round_trip(SummaryStatus::ALL, SummaryStatus::name);
        round_trip(AdCvdStatus::ALL, AdCvdStatus::name);
        round_trip(ImporterClass::ALL, ImporterClass::name);
        assert_eq!(CapeErrorKind::ALL.len(), CapeErrorKind::KNOWN.len() + 1);
        let e = "nope".parse::<Check>().unwrap_err();
        assert_eq!(e.to_string(), "\"nope\" is not a Check code");
    }

    #[test]
    fn entry_types_round_trip_through_serde() {
        for t in [EntryType::Consumption, EntryType::Section321, EntryType::Other(99)] {
            let json = serde_json::to_string(&t).expect("serialise");
            assert_eq!(serde_json::from_str::<EntryType>(&json).expect("deserialise"), t);
        }
        assert_eq!(serde_json::to_string(&EntryType::Consumption).expect("serialise"), "\"01\"");
        assert!(serde_json::from_str::<EntryType>("\"123\"").is_err());
    }
}
