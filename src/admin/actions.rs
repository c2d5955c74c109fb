//! The item's own actions on the edit page: schedule (publish and
//! unpublish times) and unpublish, each one hub call as the logged-in user.

use super::edit::{Draft, Ui, load, notice, type_of};
use super::edit_page::render;
use super::form::{Pairs, one};
use super::{Reply, message};
use crate::error::{Error, FieldError};
use crate::hub::{Hub, Session, datetime_to_ms};

/// The item's own actions: `schedule` and `unpublish`.
pub async fn item_action(
    hub: &Hub,
    s: &Session,
    type_name: &str,
    id: &str,
    action: &str,
    pairs: Pairs,
) -> Reply {
    let ty = match type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let item = match load(hub, s, ty, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let result = match action {
        "unpublish" => hub
            .unpublish(&s.viewer, std::slice::from_ref(&item.id))
            .await
            .map(|_| "unpublished"),
        "schedule" => {
            let at = |k: &str| -> Result<Option<i64>, Error> {
                match one(&pairs, k).map(str::trim).filter(|v| !v.is_empty()) {
                    None => Ok(None),
                    Some(v) => {
                        let full = if v.len() == 16 {
                            format!("{v}:00Z")
                        } else {
                            v.to_string()
                        };
                        datetime_to_ms(&full).map(Some).map_err(|m| {
                            Error::Validation(vec![
                                FieldError::new(k, m).nl("Dit is geen bestaande datum en tijd."),
                            ])
                        })
                    }
                }
            };
            match (at("publish_at"), at("unpublish_at")) {
                (Ok(p), Ok(u)) => hub
                    .schedule(&s.viewer, &item.id, p, u)
                    .await
                    .map(|_| "scheduled"),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        _ => {
            return message(
                hub,
                Some(s),
                404,
                "Niet gevonden",
                "Deze handeling bestaat niet.",
                None,
            );
        }
    };
    match result {
        Ok(done) => Reply::Redirect(format!("/admin/{}/{}?klaar={done}", ty.name, item.id)),
        Err(e) => {
            let draft = Draft::of(ty, &item);
            let ui = Ui {
                notice: notice(
                    "error",
                    match action {
                        "unpublish" => "Niet offline gehaald",
                        _ => "Planning niet opgeslagen",
                    },
                    "Bron heeft de handeling geweigerd; er is niets veranderd.",
                    Some(e.to_string()),
                ),
                ..Ui::default()
            };
            render(hub, s, ty, Some(&item), &draft, ui, e.http_status()).await
        }
    }
}
