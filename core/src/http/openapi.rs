//! The OpenAPI document: the platform's paths plus every linked module's fragment.

use utoipa::OpenApi;

use super::health;
use super::modules::{ModuleDescriptor, document_descriptor};
use super::problem::{FieldError, Problem};
use crate::module::{Feature, Registry};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Galley API",
        description = "JSON API of Galley. Errors are RFC 7807 problem documents \
            (`application/problem+json`); see `docs/problems.md`."
    ),
    paths(health::health, health::ready, health::metrics),
    components(schemas(Problem, FieldError, ModuleDescriptor, Feature)),
    tags((name = "operations", description = "Health, readiness and metrics"))
)]
struct PlatformApi;

pub fn document(registry: &Registry) -> utoipa::openapi::OpenApi {
    let mut doc = PlatformApi::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.merge(crate::auth::api::AuthApi::openapi());
    doc.merge(crate::people::api::PeopleApi::openapi());
    doc.merge(crate::kitchen::api::DishesApi::openapi());
    doc.merge(crate::kitchen::diet_api::DietTypesApi::openapi());
    doc.merge(crate::kitchen::menu_api::MenusApi::openapi());
    doc.merge(crate::audit::api::AuditApi::openapi());
    doc.merge(crate::kitchen::recipe_api::RecipesApi::openapi());
    doc.merge(crate::flags::api::ModulesApi::openapi());
    for module in registry.modules() {
        document_descriptor(&mut doc, *module);
        doc.merge(module.openapi());
    }
    let module_ids: Vec<&str> = registry.modules().iter().map(|m| m.id()).collect();
    super::openapi_shared::add(&mut doc, &module_ids);
    super::openapi_params::constrain(&mut doc);
    super::openapi_schema::refuse_control_characters(&mut doc);
    doc
}
