//! `GET /api/v1/{id}`: every module's descriptor, served by the platform.

use axum::Json;
use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{OpenApi, Ref};

use crate::module::{Feature, Module};
use crate::state::AppState;

/// What a module is, as the API describes it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModuleDescriptor {
    /// Stable id; also the URL segment and flag key.
    pub id: &'static str,
    pub title: &'static str,
    pub version: &'static str,
    /// Finer features of the module.
    pub features: Vec<Feature>,
    /// Whether the module is enabled for this caller (a disabled module answers 404).
    pub enabled: bool,
}

pub fn descriptor_router(module: &'static dyn Module) -> Router<AppState> {
    Router::new().route(
        "/",
        get(
            move |axum::extract::State(state): axum::extract::State<AppState>,
                  caller: Option<crate::auth::Caller>| async move {
                let scope = caller
                    .as_ref()
                    .map(crate::auth::Caller::flag_scope)
                    .unwrap_or_default();
                Json(ModuleDescriptor {
                    id: module.id(),
                    title: module.title(),
                    version: module.version(),
                    features: module.features().to_vec(),
                    enabled: state.flags.is_enabled_in(module.id(), scope),
                })
            },
        ),
    )
}

/// Adds `GET /api/v1/{id}` to the document for one module.
pub fn document_descriptor(doc: &mut OpenApi, module: &dyn Module) {
    let id = module.id();
    let operation = OperationBuilder::new()
        .tag(id)
        .operation_id(Some(format!("{id}_descriptor")))
        .summary(Some(format!("Describe the {id} module")))
        .description(Some(
            "The module's id, title, version and features. Answers 404 while the module is disabled.",
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("The module descriptor")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ModuleDescriptor")))
                        .build(),
                )
                .build(),
        )
        .response(
            "404",
            ResponseBuilder::new()
                .description("The module is disabled")
                .content(
                    super::problem::CONTENT_TYPE,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
        .build();
    doc.paths
        .add_path_operation(format!("/api/v1/{id}"), vec![HttpMethod::Get], operation);
}
