//! The demo galley's day: a prep list under way, a freezer with something to use soon, and a
//! few messages, so the board, the prep list, the freezer and the inbox are filled.

use chrono::{Duration, NaiveDate};
use galley_core::auth::Role;
use galley_core::db::{DbConn, DbError};

use crate::messages::audience::Audience;
use crate::messages::store as messages;
use crate::prep::freezer::Unit;
use crate::prep::freezer_store::{self, ItemFields};
use crate::prep::store::{self as prep, Owner, TaskFields};
use crate::rotation::position::Position;

/// Who the demo's messages come from.
pub struct Authors {
    pub admin: Option<i64>,
    pub cook: i64,
}

pub async fn seed(
    conn: &mut DbConn<'_>,
    (tenant, site): (i64, i64),
    today: NaiveDate,
    authors: &Authors,
) -> Result<(), DbError> {
    let owner = Owner {
        tenant_id: tenant,
        site_id: site,
        date: today,
        created_by: Some(authors.cook),
    };
    let tasks = [
        ("Tin laks til middag", "Fra fryser 2, 6 kg"),
        ("Skrell poteter", "Til 45 gjester"),
        ("Bak brød til nattmaten", ""),
        ("Lag fiskesuppe", ""),
    ];
    for (position, (title, notes)) in (0..).zip(tasks) {
        let fields = TaskFields {
            title,
            notes,
            position,
        };
        prep::insert(conn, owner, &fields, None).await?;
    }

    let items = [
        ("Laks, filet", 6_000, Unit::Kg, 80, 1, "Fryser 2"),
        ("Kjøttkaker", 60_000, Unit::Portions, 20, 70, "Fryser 1"),
        ("Rundstykker", 120_000, Unit::Pcs, 10, 2, "Fryser 1"),
        ("Reker", 4_000, Unit::Kg, 200, -1, "Fryser 3"),
    ];
    for (name, quantity_milli, unit, frozen_ago, use_in, location) in items {
        let fields = ItemFields {
            name,
            quantity_milli,
            unit,
            frozen_on: today - Duration::days(frozen_ago),
            use_by: today + Duration::days(use_in),
            location,
        };
        freezer_store::insert(conn, (tenant, site), &fields, Some(authors.cook)).await?;
    }

    let notes = [
        (
            authors.admin,
            Audience::Site,
            "Helikopteret i morgen er forsinket til kl. 14. Lunsj som vanlig.",
        ),
        (
            Some(authors.cook),
            Audience::Position {
                position: Position::Steward,
            },
            "Husk å vaske kjølerom 2 før inspeksjonen torsdag.",
        ),
        (
            Some(authors.cook),
            Audience::Role { role: Role::Cook },
            "Nattkokken bestiller tørrvarer innen fredag kl. 12.",
        ),
    ];
    for (author, audience, body) in notes {
        let id = messages::insert(conn, (tenant, site), author, audience, body).await?;
        // Authors have read what they wrote.
        if let Some(author) = author {
            messages::mark_read(conn, id, author).await?;
        }
    }
    Ok(())
}
