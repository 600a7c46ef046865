use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fieldstone_protocol::account::{OrgChoice, OrgInfo};
use fieldstone_protocol::{ErrorBody, ErrorCode};
use std::time::Duration;

/// Every error a route can answer with; the body is always JSON.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or invalid bearer token")]
    Unauthorized,
    #[error("this session has expired: sign in again")]
    SessionExpired,
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("this device was signed out by an administrator; its copy of the organisation's data must be removed")]
    DeviceRevoked,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("request body too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: usize },
    /// Also what another organisation's ids get: indistinguishable from a missing record.
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("this email has accounts in several organisations: choose one")]
    ChooseOrganisation(Vec<OrgInfo>),
    #[error("too many attempts; try again in {} s", retry_after.as_secs().max(1))]
    TooManyRequests { retry_after: Duration },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => ApiError::Conflict(message),
            StoreError::Unavailable(message) => ApiError::Unavailable(message),
            StoreError::Stale(_) | StoreError::Corrupt(_) | StoreError::Database(_) => {
                ApiError::Internal(error.to_string())
            }
        }
    }
}

impl ApiError {
    pub fn code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Unauthorized | ApiError::SessionExpired => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
            }
            ApiError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            }
            ApiError::DeviceRevoked => (StatusCode::UNAUTHORIZED, ErrorCode::DeviceRevoked),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            ApiError::PayloadTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            ApiError::ChooseOrganisation(_) => {
                (StatusCode::CONFLICT, ErrorCode::ChooseOrganisation)
            }
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests)
            }
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.code();
        if let ApiError::Internal(detail) = &self {
            // The detail goes to the log, never to the client.
            tracing::error!(%detail, "request failed");
        }
        let message = self.to_string();
        let retry = match &self {
            ApiError::TooManyRequests { retry_after } => Some(retry_after.as_secs().max(1)),
            _ => None,
        };
        let mut response = match self {
            ApiError::ChooseOrganisation(orgs) => (
                status,
                Json(OrgChoice {
                    code,
                    message,
                    orgs,
                }),
            )
                .into_response(),
            _ => (status, Json(ErrorBody { code, message })).into_response(),
        };
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
