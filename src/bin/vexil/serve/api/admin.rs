//! Environments, whole-environment import and export (flags as code), and tokens.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::request::{self, fields, json, read_body, string_field, Query, MAX_BODY_BYTES};
use super::{caller, read_state, Caller};
use crate::serve::auth::{authenticate, presented, require_role};
use crate::serve::change::{Author, Edit};
use crate::serve::clock::rfc3339;
use crate::serve::definition::Definition;
use crate::serve::error::ApiError;
use crate::serve::keys::check_environment;
use crate::serve::publish::document;
use crate::serve::service::Shared;
use crate::serve::store::{environments, tokens as stored, TokenRow};
use crate::serve::tokens::{generate, Role, TokenKind};

/// The largest snapshot a push may send: the engine's document limit.
fn max_push_bytes() -> usize {
    vexil::Limits::default().max_document_bytes
}

/// `GET /api/v1/environments`
pub async fn environments(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller(&service, &headers, raw, Role::Viewer).await?;
    let items: Vec<Value> = environments::list(&service.store.pool)
        .await?
        .into_iter()
        .map(|(name, revision, _)| {
            json!({ "name": name, "revision": revision, "default": name == service.settings.default_environment })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({ "environments": items })))
}

/// `POST /api/v1/environments` with `{"name": "staging"}`
pub async fn create_environment(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Caller { actor, .. } = caller(&service, &headers, raw, Role::Admin).await?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let object = fields(&bytes, &["name"])?;
    let name = string_field(&object, "name")?
        .ok_or_else(|| ApiError::bad_request("`name` is required"))?;
    check_environment(&name).map_err(ApiError::bad_request)?;
    if !service.create_environment(&name, &actor).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("the environment `{name}` exists"),
        ));
    }
    Ok(json(
        StatusCode::CREATED,
        &json!({ "name": name, "revision": 1 }),
    ))
}

/// `DELETE /api/v1/environments/{name}`: an environment with no flags or segments left;
/// its SDK keys are revoked. Created again later, it continues from its last revision.
pub async fn delete_environment(
    State(service): State<Shared>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller { actor, .. } = caller(&service, &headers, raw, Role::Admin).await?;
    check_environment(&name).map_err(ApiError::bad_request)?;
    service.delete_environment(&name, &actor).await?;
    Ok(json(StatusCode::OK, &json!({ "deleted": name })))
}

/// `GET /api/v1/environments/{name}/snapshot`: the environment as one snapshot document,
/// flags as written without per-user overrides (those stay in the service), for `vexil pull`.
pub async fn pull(
    State(service): State<Shared>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let raw = Some(with_environment(raw, &name));
    let Caller { environment, .. } = caller(&service, &headers, raw, Role::Viewer).await?;
    let mut state = read_state(&service, &environment).await?;
    state.overrides.clear();
    // Dated by the last change of a definition, so pulling twice gives the same file.
    let changed = state
        .flags
        .iter()
        .chain(&state.segments)
        .map(|row| row.updated_at)
        .max();
    let generated = changed.unwrap_or_else(|| service.clock.now_ms());
    let mut response = request::json_text(StatusCode::OK, document(&state, generated));
    response
        .headers_mut()
        .insert("x-vexil-revision", HeaderValue::from(state.revision));
    Ok(response)
}

/// `PUT /api/v1/environments/{name}/snapshot`: replaces every flag and segment with those of
/// a snapshot document, as one change (validated, audited and counted like any other).
pub async fn push(
    State(service): State<Shared>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let raw = Some(with_environment(raw, &name));
    let Caller {
        environment,
        query,
        actor,
    } = caller(&service, &headers, raw, Role::Editor).await?;
    let bytes = read_body(body, max_push_bytes()).await?;
    let text = request::text(&bytes)?;
    // The engine reads the document first, so a push gets the same errors as `vexil validate`.
    vexil::Engine::from_slice(text.as_bytes()).map_err(|error| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-snapshot",
            error.to_string(),
        )
        .with_details(json!({ "code": error.code(), "path": error.path() }))
    })?;
    let document = Definition::parse(text).map_err(ApiError::bad_request)?;
    let items = |name: &str| -> Result<Vec<String>, ApiError> {
        let Some(raw) = document.raw(name) else {
            return Ok(Vec::new());
        };
        let items: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(raw).map_err(|error| ApiError::bad_request(error.to_string()))?;
        Ok(items
            .into_iter()
            .map(|item| item.get().to_owned())
            .collect())
    };
    let edit = Edit::Replace {
        flags: items("flags")?,
        segments: items("segments")?,
    };
    let author = Author {
        actor,
        reason: request::reason(&headers, &query)?,
    };
    let committed = service.change(&environment, edit, &author).await?;
    let changed: Vec<Value> = committed
        .entries
        .iter()
        .map(|entry| json!({ "type": entry.subject_type, "key": entry.subject, "kind": kind_of(entry) }))
        .collect();
    Ok(json(
        StatusCode::OK,
        &json!({ "environment": environment, "revision": committed.revision, "changed": changed }),
    ))
}

fn kind_of(entry: &crate::serve::store::AuditEntry) -> &'static str {
    match (&entry.before, &entry.after) {
        (None, _) => "created",
        (_, None) => "deleted",
        _ => "updated",
    }
}

fn with_environment(raw: Option<String>, name: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("environment", name);
    match raw {
        Some(raw) if !raw.is_empty() => format!("{raw}&{}", query.finish()),
        _ => query.finish(),
    }
}

/// `GET /api/v1/tokens`: ids, kinds and names; never secrets or digests.
pub async fn tokens(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller(&service, &headers, raw, Role::Admin).await?;
    let items: Vec<Value> = stored::list(&service.store.pool)
        .await?
        .iter()
        .map(describe)
        .collect();
    Ok(json(StatusCode::OK, &json!({ "tokens": items })))
}

fn describe(row: &TokenRow) -> Value {
    json!({
        "id": row.id,
        "kind": row.kind,
        "role": row.role,
        "environment": row.environment,
        "name": row.name,
        "createdAt": rfc3339(row.created_at),
        "createdBy": row.created_by,
        "revokedAt": row.revoked_at.map(rfc3339),
    })
}

/// `POST /api/v1/tokens` with `{"kind": "admin", "role": "editor", "name": "ci"}` or
/// `{"kind": "client", "environment": "production", "name": "web"}`: the token is in the
/// answer, once.
pub async fn create_token(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Caller { actor, .. } = caller(&service, &headers, raw, Role::Admin).await?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let object = fields(&bytes, &["kind", "role", "environment", "name"])?;
    let kind = string_field(&object, "kind")?
        .and_then(|kind| TokenKind::parse(&kind))
        .ok_or_else(|| ApiError::bad_request("`kind` must be admin, server or client"))?;
    let name = string_field(&object, "name")?.unwrap_or_else(|| kind.as_str().to_owned());
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request("`name` is 1 to 100 characters"));
    }
    let (role, environment) = match kind {
        TokenKind::Admin => {
            let role = string_field(&object, "role")?
                .and_then(|role| Role::parse(&role))
                .ok_or_else(|| {
                    ApiError::bad_request("an admin token needs `role`: admin, editor or viewer")
                })?;
            (Some(role.as_str().to_owned()), None)
        }
        _ => {
            let environment = string_field(&object, "environment")?
                .ok_or_else(|| ApiError::bad_request("an SDK key needs `environment`"))?;
            if environments::get(&service.store.pool, &environment)
                .await?
                .is_none()
            {
                return Err(ApiError::not_found("environment", &environment));
            }
            (None, Some(environment))
        }
    };
    let token = issue(&service, kind, role, environment, &name, &actor).await?;
    Ok(json(StatusCode::CREATED, &token))
}

/// Makes and stores a token; answers its description with the token itself.
pub async fn issue(
    service: &crate::serve::service::Service,
    kind: TokenKind,
    role: Option<String>,
    environment: Option<String>,
    name: &str,
    actor: &str,
) -> Result<Value, ApiError> {
    let token = generate(kind)
        .map_err(|error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "no-random", error))?;
    let row = TokenRow {
        id: token.id.clone(),
        digest: token.digest,
        kind: kind.as_str().to_owned(),
        role,
        environment,
        name: name.to_owned(),
        created_at: service.clock.now_ms(),
        created_by: actor.to_owned(),
        revoked_at: None,
    };
    stored::insert(&service.store.pool, &row).await?;
    service.tokens_changed().await;
    let mut described = describe(&row);
    described["token"] = json!(token.text);
    Ok(described)
}

/// `DELETE /api/v1/tokens/{id}`: revokes a token at once, on every instance.
pub async fn revoke_token(
    State(service): State<Shared>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let principal = authenticate(&service, presented(&headers, None)).await?;
    require_role(&principal, Role::Admin)?;
    let _ = query;
    let row = stored::find(&service.store.pool, &id).await?;
    let Some(row) = row.filter(|row| row.revoked_at.is_none()) else {
        return Err(ApiError::not_found("live token", &id));
    };
    if row.kind == "admin"
        && row.role.as_deref() == Some("admin")
        && stored::live_admins(&service.store.pool).await? <= 1
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "last-admin",
            "this is the last admin token; make another before revoking it",
        ));
    }
    stored::revoke(&service.store.pool, &id, service.clock.now_ms()).await?;
    service.tokens_changed().await;
    let mut response = json(StatusCode::OK, &json!({ "revoked": id }));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
