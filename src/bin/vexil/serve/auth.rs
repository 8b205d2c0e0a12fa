//! Who is asking: the bearer token of a request, checked against the stored digests.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::http::{header, HeaderMap, StatusCode};

use super::error::ApiError;
use super::publish::Audience;
use super::service::Service;
use super::store::{tokens, TokenRow};
use super::tokens::{Presented, Role, TokenKind};

/// The holder of a valid token.
#[derive(Clone, Debug)]
pub enum Principal {
    /// A person or script with an admin token.
    Admin {
        /// The token's name, recorded as the actor of changes.
        name: String,
        /// What it may do.
        role: Role,
    },
    /// An SDK key.
    Sdk {
        /// Server (full snapshot) or client (no server-only definitions).
        kind: TokenKind,
        /// The environment it reads.
        environment: String,
    },
}

impl Principal {
    /// Which documents this holder reads and evaluates: client keys get the client document,
    /// everyone else the full one.
    pub fn audience(&self) -> Audience {
        match self {
            Principal::Sdk {
                kind: TokenKind::Client,
                ..
            } => Audience::Client,
            Principal::Admin { .. } | Principal::Sdk { .. } => Audience::Full,
        }
    }
}

/// The tokens seen so far, by id; emptied when any token changes.
#[derive(Debug, Default)]
pub struct TokenCache {
    rows: RwLock<HashMap<String, TokenRow>>,
}

impl TokenCache {
    /// Forgets every token (after a token is made or revoked, here or on another instance).
    pub fn clear(&self) {
        self.rows
            .write()
            .unwrap_or_else(|poison| poison.into_inner())
            .clear();
    }

    fn get(&self, id: &str) -> Option<TokenRow> {
        self.rows
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .get(id)
            .cloned()
    }

    fn put(&self, row: TokenRow) {
        let mut rows = self
            .rows
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        // Bounded: only ids of stored tokens are ever cached.
        rows.insert(row.id.clone(), row);
    }
}

/// The bearer token of `headers`, or else the `key` query parameter (for SDK keys only: a
/// page's EventSource or sendBeacon cannot set headers).
pub fn presented<'r>(headers: &'r HeaderMap, query_key: Option<&'r str>) -> Option<&'r str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim);
    bearer.or(query_key)
}

/// Checks the token of a request. 401 when there is none or it is not valid.
pub async fn authenticate(service: &Service, token: Option<&str>) -> Result<Principal, ApiError> {
    let Some(token) = token else {
        return Err(unauthorized(
            "this endpoint needs a token: send `Authorization: Bearer <token>`",
        ));
    };
    let Some(presented) = Presented::parse(token) else {
        return Err(unauthorized("the token is not valid"));
    };
    let row = match service.tokens.get(presented.id) {
        Some(row) => row,
        None => match tokens::find(&service.store.pool, presented.id).await? {
            Some(row) => {
                service.tokens.put(row.clone());
                row
            }
            None => return Err(unauthorized("the token is not valid")),
        },
    };
    if row.revoked_at.is_some() || !presented.matches(&row.digest) {
        return Err(unauthorized("the token is not valid"));
    }
    principal(&row).ok_or_else(|| unauthorized("the token is not valid"))
}

fn principal(row: &TokenRow) -> Option<Principal> {
    match TokenKind::parse(&row.kind)? {
        TokenKind::Admin => Some(Principal::Admin {
            name: row.name.clone(),
            role: Role::parse(row.role.as_deref()?)?,
        }),
        kind => Some(Principal::Sdk {
            kind,
            environment: row.environment.clone()?,
        }),
    }
}

/// Requires an admin token with at least `role`; answers the actor's name.
pub fn require_role(principal: &Principal, role: Role) -> Result<String, ApiError> {
    match principal {
        Principal::Admin { name, role: held } if *held >= role => Ok(name.clone()),
        Principal::Admin { role: held, .. } => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this needs the {} role; the token has {}",
                role.as_str(),
                held.as_str()
            ),
        )),
        Principal::Sdk { .. } => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "SDK keys read snapshots; this needs an admin token",
        )),
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}
