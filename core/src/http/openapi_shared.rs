//! The statuses every operation can answer without its handler saying so: the layers and
//! extractors in front of each handler (authentication, CSRF, rate limits, body limits, path
//! and query parsing, the module gate, the database). Added to the document in one place so
//! that it says what the server does.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use super::problem::CONTENT_TYPE;

/// Operations that anyone may call: no 401 or 403 from the authentication layer.
const PUBLIC: [&str; 4] = ["/health", "/ready", "/metrics", "/api/v1/auth/login"];

/// A shared status, and when an operation can answer it.
struct Shared {
    status: &'static str,
    description: &'static str,
    applies: fn(&Facts) -> bool,
}

/// What decides which shared statuses an operation can answer.
struct Facts {
    api: bool,
    public: bool,
    has_path_params: bool,
    has_input: bool,
    has_body: bool,
    in_module: bool,
}

const SHARED: [Shared; 10] = [
    Shared {
        status: "400",
        description: "The request could not be read: a path or query value that does not \
            parse, or a body that is not JSON",
        applies: |f| f.api && (f.has_input || f.has_body),
    },
    Shared {
        status: "401",
        description: "No valid session or API token",
        applies: |f| f.api && !f.public,
    },
    Shared {
        status: "403",
        description: "The caller's role does not allow this, or a cookie session sent no \
            valid CSRF token",
        applies: |f| f.api && !f.public,
    },
    Shared {
        status: "404",
        description: "Nothing at this address: an unknown id, another tenant's resource, or \
            a module that is switched off",
        applies: |f| f.api && (f.has_path_params || f.in_module),
    },
    Shared {
        status: "413",
        description: "The request body is larger than the configured limit",
        applies: |f| f.has_body,
    },
    Shared {
        status: "415",
        description: "The request body is not `application/json`",
        applies: |f| f.has_body,
    },
    Shared {
        status: "422",
        description: "A value is out of range or not valid; `errors` names each field",
        applies: |f| f.has_input || f.has_body,
    },
    Shared {
        status: "429",
        description: "Too many requests from this address, or writes by this caller; wait \
            `Retry-After` seconds",
        applies: |_| true,
    },
    Shared {
        status: "500",
        description: "An internal error; `incident_id` identifies it in the logs",
        applies: |f| f.api,
    },
    Shared {
        status: "503",
        description: "The database is not reachable right now",
        applies: |f| f.api,
    },
];

/// Adds the shared statuses to every operation, and states that every error answer is a
/// problem document.
/// `module_ids` are the linked modules, whose operations also pass the module gate.
pub fn add(doc: &mut OpenApi, module_ids: &[&str]) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let in_module = module_ids
            .iter()
            .any(|id| path.starts_with(&format!("/api/v1/{id}/")));
        for operation in operations(item) {
            let facts = facts(path, operation, in_module);
            for shared in SHARED.iter().filter(|shared| (shared.applies)(&facts)) {
                operation
                    .responses
                    .responses
                    .entry(shared.status.to_owned())
                    .or_insert_with(|| RefOr::T(problem_response(shared.description)));
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                if let (true, RefOr::T(response)) = (is_error(status), response) {
                    response.content = [(CONTENT_TYPE.to_owned(), problem_content())].into();
                }
            }
        }
    }
}

fn facts(path: &str, operation: &Operation, in_module: bool) -> Facts {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let api = path.starts_with("/api/");
    Facts {
        api,
        public: PUBLIC.contains(&path),
        has_path_params: path.contains('{'),
        has_input: path.contains('{') || !parameters.is_empty(),
        has_body: operation.request_body.is_some(),
        in_module,
    }
}

pub(super) fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(CONTENT_TYPE, problem_content())
        .build()
}
