//! A signed-in browser for tests: sends the session cookie and, on unsafe requests, the CSRF
//! token, as the pages do.

use axum::http::Method;
use serde_json::Value;

use crate::auth::login;
use crate::harness::{TestApp, TestResponse};

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
    pub csrf: String,
}

impl<'a> Client<'a> {
    pub async fn sign_in(app: &'a TestApp, email: &str) -> Client<'a> {
        let session = login(app, email).await;
        Client {
            app,
            cookie: session.cookie,
            csrf: session.csrf,
        }
    }

    /// Signs in with a password other than the test suite's own (the demo data's, say).
    pub async fn sign_in_with(app: &'a TestApp, email: &str, password: &str) -> Client<'a> {
        let response = crate::auth::login_response(app, email, password).await;
        assert_eq!(response.status, 200, "{}", response.text());
        let cookie = response
            .header("set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Client {
            app,
            csrf: response.json()["csrf_token"].as_str().unwrap().to_owned(),
            cookie,
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.app
            .request(Method::GET, path, &[("cookie", &self.cookie)], "")
            .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut all = vec![("cookie", self.cookie.as_str())];
        all.extend_from_slice(headers);
        self.app.request(Method::GET, path, &all, "").await
    }

    /// An unsafe request with a JSON body and optional `If-Match`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        if_match: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut headers = vec![
            ("cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
        ];
        if let Some(tag) = if_match {
            headers.push(("if-match", tag));
        }
        let body = match body {
            Some(json) => {
                headers.push(("content-type", "application/json"));
                json.to_string()
            }
            None => String::new(),
        };
        self.app.request(method, path, &headers, body).await
    }

    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::POST, path, None, Some(body)).await
    }

    pub async fn patch(&self, path: &str, if_match: Option<&str>, body: Value) -> TestResponse {
        self.send(Method::PATCH, path, if_match, Some(body)).await
    }

    pub async fn delete(&self, path: &str, if_match: Option<&str>) -> TestResponse {
        self.send(Method::DELETE, path, if_match, None).await
    }
}
