//! One measured SCIM operation through goose: wait for the worker's intended start, send with
//! Okta's headers via `GooseUser::get_request_builder` + `GooseUser::request`, retry 429s the way
//! Okta does, and record latency-from-intended-start and service time in the user's recorder.
//! With OAuth, each request carries the shared source's fresh token; a 401 to it gets a new
//! token and the request is sent once more.

use std::time::{Duration, Instant};

use goose::goose::{GooseMethod, GooseRequest};
use goose::prelude::GooseUser;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde_json::Value;

use super::context::{RunContext, WorkerSession};
use super::okta_shapes::OKTA_CONTENT_TYPE;
use super::ops::OpKind;
use super::recorder::Outcome;
use crate::driver::read_bounded;

/// What a measured operation ended with.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Final status; 0 when no response arrived.
    pub status: u16,
    /// The response body text.
    pub text: String,
    /// Whether the status was one the scenario expected.
    pub ok: bool,
}

impl Reply {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.text).ok()
    }

    /// A string attribute of the JSON body (`id`).
    pub fn string(&self, key: &str) -> Option<String> {
        self.json()?.get(key)?.as_str().map(str::to_string)
    }
}

/// One request to send.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub kind: OpKind,
    pub method: GooseMethod,
    /// Relative to the SCIM base URL, no leading slash (`Users/abc`).
    pub path: &'a str,
    pub body: Option<&'a Value>,
    /// Statuses that count as success.
    pub expect: &'a [u16],
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    text: String,
}

/// Sends one operation with Okta's 429 handling and records it.
pub async fn exchange(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    operation: Operation<'_>,
) -> Reply {
    let intended = wait_for_intended_start(context, session).await;
    let mut throttled = 0u32;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let sent = Instant::now();
        let answer = send_once(user, context, &operation).await;
        let finished = Instant::now();
        if answer.status == 429 {
            throttled += 1;
            let wait = context
                .retry
                .wait_after(attempt, answer.retry_after.as_deref());
            if attempt < context.retry.max_tries {
                if wait <= context.remaining() {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                // Still throttled when the run ends: wait out the run (so the worker does not
                // start a flurry of doomed operations) and count the operation as failed.
                tokio::time::sleep(context.remaining()).await;
            }
        }
        let ok = operation.expect.contains(&answer.status);
        if !ok {
            context
                .collector
                .note_failure(operation.kind, answer.status, &answer.text);
        }
        let outcome = Outcome {
            kind: operation.kind,
            intended,
            sent,
            finished,
            status: answer.status,
            ok,
            throttled,
        };
        session.recorder.record(&outcome, &context.collector);
        return Reply {
            status: answer.status,
            text: answer.text,
            ok,
        };
    }
}

/// Sends two identical creates at once (two racing Okta assignment tasks for one user), each
/// measured; success means 201 for one and 201 or 409 for the other.
pub async fn exchange_racing_pair(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    operation: Operation<'_>,
) -> [Reply; 2] {
    let intended = wait_for_intended_start(context, session).await;
    let authorization = authorization(context).await;
    let (first, second) = match &authorization {
        Ok(value) => (
            builder(user, context, &operation, value.as_deref()),
            builder(user, context, &operation, value.as_deref()),
        ),
        Err(()) => (None, None),
    };
    let sent = Instant::now();
    let (first, second) = tokio::join!(send_raw(first, context), send_raw(second, context));
    let finished = Instant::now();
    [first, second].map(|answer| {
        let ok = matches!(answer.status, 201 | 409);
        if !ok {
            context
                .collector
                .note_failure(operation.kind, answer.status, &answer.text);
        }
        let outcome = Outcome {
            kind: operation.kind,
            intended,
            sent,
            finished,
            status: answer.status,
            ok,
            throttled: u32::from(answer.status == 429),
        };
        session.recorder.record(&outcome, &context.collector);
        Reply {
            status: answer.status,
            text: answer.text,
            ok,
        }
    })
}

async fn wait_for_intended_start(context: &RunContext, session: &mut WorkerSession) -> Instant {
    let intended = session.schedule(context.pace);
    let ahead = intended.saturating_duration_since(Instant::now());
    if !ahead.is_zero() {
        tokio::time::sleep(ahead.min(context.remaining())).await;
    }
    intended
}

/// The Authorization value to send: the static one, or the shared OAuth token (`Err` when no
/// token could be had: the operation gets no answer).
async fn authorization(context: &RunContext) -> Result<Option<String>, ()> {
    match &context.oauth {
        Some(oauth) => oauth.authorization().await.map(Some).map_err(|_| ()),
        None => Ok(context.authorization.clone()),
    }
}

fn builder(
    user: &GooseUser,
    context: &RunContext,
    operation: &Operation<'_>,
    authorization: Option<&str>,
) -> Option<reqwest::RequestBuilder> {
    let mut builder = user
        .get_request_builder(&operation.method, operation.path)
        .ok()?
        .header(ACCEPT, "application/scim+json")
        .header("Accept-Charset", "utf-8");
    if let Some(authorization) = authorization {
        builder = builder.header(AUTHORIZATION, authorization);
    }
    for (name, value) in &context.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = operation.body {
        builder = builder
            .header(CONTENT_TYPE, OKTA_CONTENT_TYPE)
            .body(body.to_string());
    }
    Some(builder)
}

async fn send_once(
    user: &mut GooseUser,
    context: &RunContext,
    operation: &Operation<'_>,
) -> Answer {
    let Ok(authorization) = authorization(context).await else {
        return no_answer("no OAuth token: the token endpoint did not issue one".into());
    };
    let answer = send_with(user, context, operation, authorization.as_deref()).await;
    let (Some(oauth), Some(refused)) = (&context.oauth, authorization) else {
        return answer;
    };
    if answer.status != 401 {
        return answer;
    }
    match oauth.refresh(&refused).await {
        Ok(fresh) => send_with(user, context, operation, Some(&fresh)).await,
        Err(_) => answer,
    }
}

async fn send_with(
    user: &mut GooseUser,
    context: &RunContext,
    operation: &Operation<'_>,
    authorization: Option<&str>,
) -> Answer {
    let Some(builder) = builder(user, context, operation, authorization) else {
        return no_answer("the request could not be built".into());
    };
    let request = GooseRequest::builder()
        .set_request_builder(builder)
        .name(operation.kind.name())
        .build();
    match user.request(request).await {
        Ok(goose) => match goose.response {
            Ok(response) => read_answer(response, context).await,
            Err(err) => no_answer(error_chain(&err)),
        },
        Err(err) => no_answer(error_chain(&*err)),
    }
}

async fn send_raw(builder: Option<reqwest::RequestBuilder>, context: &RunContext) -> Answer {
    match builder {
        Some(builder) => match builder.send().await {
            Ok(response) => read_answer(response, context).await,
            Err(err) => no_answer(error_chain(&err)),
        },
        None => no_answer("the request could not be built".into()),
    }
}

/// Reads the answer through the bounded reader; a body past the limit stops the whole run
/// (recorded in the context, goose's killswitch pulled) and counts as no answer.
async fn read_answer(response: reqwest::Response, context: &RunContext) -> Answer {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    match read_bounded(response, context.max_response_bytes).await {
        Ok(body) if body.oversized.is_some() => {
            let mut first = context.oversized.lock().unwrap_or_else(|p| p.into_inner());
            if first.is_none() {
                *first = body.oversized;
                goose::trigger_killswitch(
                    "scimfuzz load: a response body exceeded --max-response-size",
                );
            }
            no_answer(format!(
                "the {status} response body exceeded --max-response-size"
            ))
        }
        Ok(body) => Answer {
            status,
            retry_after,
            text: body.into_text(),
        },
        Err(err) => no_answer(format!(
            "the {status} response body could not be read: {err}"
        )),
    }
}

/// No response: status 0, and why (the text a report shows in place of a body).
fn no_answer(reason: String) -> Answer {
    Answer {
        status: 0,
        retry_after: None,
        text: format!("no response: {reason}"),
    }
}

/// An error and its sources, `outer: inner: …` (reqwest's own message hides the cause).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Sleeps `duration`, but never past the run's deadline.
pub async fn idle(context: &RunContext, duration: Duration) {
    tokio::time::sleep(
        duration
            .min(context.remaining())
            .max(Duration::from_millis(20)),
    )
    .await;
}
