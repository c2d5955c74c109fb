//! Accounts of the editor UI: created by an admin, passwords kept only as
//! argon2id hashes, a login checked without telling which part was wrong.

use bron::hub::{NewUser, Role, Viewer};

use crate::support::empty_hub;

fn new_user(name: &str, role: Role, password: &str) -> NewUser {
    NewUser {
        name: name.into(),
        display_name: Some("Jan Jansen".into()),
        role,
        team: Some("Publiekszaken".into()),
        password: password.into(),
    }
}

#[tokio::test]
async fn an_admin_creates_users_who_log_in_with_their_password() {
    let t = empty_hub().await;
    let user = t
        .hub
        .create_user(
            &Viewer::cli(),
            new_user("jan", Role::Editor, "een goed wachtwoord"),
        )
        .await
        .unwrap();
    assert_eq!(user.role, "editor");
    assert_eq!(user.team.as_deref(), Some("Publiekszaken"));
    assert!(user.password_hash.starts_with("$argon2id$"));
    assert!(!user.password_hash.contains("een goed wachtwoord"));

    let ok = t
        .hub
        .check_login("jan", "een goed wachtwoord")
        .await
        .unwrap();
    assert_eq!(ok.map(|u| u.name), Some("jan".to_string()));
    assert!(
        t.hub
            .check_login("jan", "een fout wachtwoord")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        t.hub
            .check_login("piet", "een goed wachtwoord")
            .await
            .unwrap()
            .is_none()
    );

    // The same name twice, a short password, a bad name: clear errors, nothing written.
    for (name, password, says) in [
        ("jan", "een ander wachtwoord", "already exists"),
        ("piet", "kort", "at least 12 characters"),
        (
            "Piet Jansen",
            "een goed wachtwoord",
            "not a valid login name",
        ),
    ] {
        let e = t
            .hub
            .create_user(&Viewer::cli(), new_user(name, Role::Editor, password))
            .await
            .unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }
    assert_eq!(t.hub.users(&Viewer::cli()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn only_admins_create_users() {
    let t = empty_hub().await;
    let publisher = Viewer {
        role: Role::Publisher,
        name: "p".into(),
        team: None,
    };
    let e = t
        .hub
        .create_user(
            &publisher,
            new_user("jan", Role::Admin, "een goed wachtwoord"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN", "{e}");
}
