//! Attachments: uploads straight to S3, internal files, bad uploads write nothing.

use super::*;

#[tokio::test]
async fn files_are_listed_after_a_confirmed_upload_and_downloaded_as_attachments() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let number = raised(&t, &uma).await;
    let g = grant(
        &t,
        &uma,
        number,
        json!({"file_name": "C:\\scans\\error.txt", "content_type": "text/plain", "size": 11}),
    )
    .await;
    assert_eq!(g.status, 201, "{}", g.text);
    assert_eq!(g.body["max_bytes"], 25 * 1024 * 1024);
    let fields = &g.body["upload"]["fields"];
    let key = fields["key"].as_str().unwrap();
    assert!(
        key.starts_with(&format!("pending/acme-dental/tickets/{number}/")),
        "uploads wait under pending/ until confirmed: {key}"
    );
    assert_eq!(fields["Content-Type"], "text/plain");
    assert!(
        t.get(&format!("/api/tickets/{number}"), &uma).await.body["attachments"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing listed before the confirm"
    );
    // Confirming before the upload arrives: refused, nothing written.
    let early = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!(early.problem(422), "/problems/validation", "{}", early.text);
    assert!(post_file(&g.body, "text/plain", b"hello world".to_vec()).await < 300);
    let done = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.body["file_name"], "error.txt");
    assert_eq!(done.body["size"], 11);
    let again = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!((again.status, &again.body["id"]), (200, &done.body["id"]));

    let detail = t.get(&format!("/api/tickets/{number}"), &uma).await;
    let listed = detail.body["attachments"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    let id = listed[0]["id"].as_str().unwrap();
    let download = t
        .get(&format!("/api/tickets/{number}/attachments/{id}"), &uma)
        .await;
    assert_eq!(download.status, 303, "{}", download.text);
    let location = download.headers["location"].to_str().unwrap();
    assert!(location.contains("X-Amz-Signature"), "{location}");
    assert!(!location.to_ascii_lowercase().contains("x-amzn-trace-id"));
    let file = reqwest::get(location).await.unwrap();
    assert_eq!(
        file.headers()["content-disposition"],
        "attachment; filename=\"error.txt\"; filename*=UTF-8''error.txt"
    );
    assert_eq!(file.text().await.unwrap(), "hello world");
    // The confirm moved the file out of the presigned POST's reach: posting again (the form is
    // still valid) lands in pending/ and changes nothing anyone downloads.
    assert!(post_file(&g.body, "text/plain", b"HELLO WORLD".to_vec()).await < 300);
    let again = t
        .get(&format!("/api/tickets/{number}/attachments/{id}"), &uma)
        .await;
    let location = again.headers["location"].to_str().unwrap();
    assert_eq!(
        reqwest::get(location).await.unwrap().text().await.unwrap(),
        "hello world"
    );

    // Colleagues who see the company's tickets see it; other companies get 404.
    let fiona = t.login("fulladmin@acme.example").await;
    assert_eq!(
        t.get(&format!("/api/tickets/{number}/attachments/{id}"), &fiona)
            .await
            .status,
        303
    );
    let gus = t.login("fulladmin@globex.example").await;
    for path in [
        format!("/api/tickets/{number}/attachments/{id}"),
        format!("/api/tickets/{number}/attachments/nope"),
    ] {
        assert_eq!(t.get(&path, &gus).await.problem(404), "/problems/not-found");
    }
    // What is not an attachment id names no file, and never reaches a key: too long for one, a
    // `#` that would leave the attachment's range, the id in capitals.
    for bad in ["a".repeat(2000), format!("X%23A%23{id}"), id.to_uppercase()] {
        let path = format!("/api/tickets/{number}/attachments/{bad}");
        assert_eq!(
            t.get(&path, &fiona).await.problem(404),
            "/problems/not-found"
        );
    }
    assert_eq!(
        grant(&t, &gus, number, json!({"file_name": "a.txt", "size": 1}))
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        confirm(&t, &gus, number, &g.body["token"])
            .await
            .problem(404),
        "/problems/not-found"
    );
}

#[tokio::test]
async fn internal_files_are_staff_only_and_bad_uploads_write_nothing() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let number = raised(&t, &uma).await;
    let public = attach(&t, &tech, number, "fix.txt", b"steps", false).await;
    assert_eq!(public.status, 201, "{}", public.text);
    assert_eq!(public.body["from_msp"], true);
    let internal = attach(&t, &tech, number, "SECRET-notes.txt", b"internal", true).await;
    assert_eq!(internal.status, 201, "{}", internal.text);
    let secret_id = internal.body["id"].as_str().unwrap();

    let staff_view = t.get(&format!("/api/tickets/{number}"), &tech).await;
    assert_eq!(staff_view.body["attachments"].as_array().unwrap().len(), 2);
    for email in ["user@acme.example", "fulladmin@acme.example"] {
        let cookie = t.login(email).await;
        let view = t.get(&format!("/api/tickets/{number}"), &cookie).await;
        assert_eq!(view.body["attachments"].as_array().unwrap().len(), 1);
        assert!(!view.text.contains("SECRET"), "{email}");
        assert_eq!(
            t.get(
                &format!("/api/tickets/{number}/attachments/{secret_id}"),
                &cookie
            )
            .await
            .problem(404),
            "/problems/not-found"
        );
    }
    assert_eq!(
        grant(
            &t,
            &uma,
            number,
            json!({"file_name": "a.txt", "size": 1, "internal": true})
        )
        .await
        .problem(403),
        "/problems/forbidden"
    );
    assert_eq!(
        grant(
            &t,
            &t.login("readonly@acme.example").await,
            number,
            json!({"file_name": "a.txt", "size": 1})
        )
        .await
        .problem(403),
        "/problems/forbidden"
    );

    // Bad requests for an upload.
    for (body, field) in [
        (json!({"file_name": "", "size": 1}), "file_name"),
        (json!({"file_name": "a.txt", "size": 0}), "size"),
        (
            json!({"file_name": "a.txt", "size": 26 * 1024 * 1024}),
            "size",
        ),
        (
            json!({"file_name": "a.txt", "size": 1, "content_type": "nonsense"}),
            "content_type",
        ),
        // Only documents, images (not SVG), text, archives and mail; a type must fit the name.
        (json!({"file_name": "logo.svg", "size": 1}), "file_name"),
        (json!({"file_name": "setup.exe", "size": 1}), "file_name"),
        (
            json!({"file_name": "page.html", "size": 1, "content_type": "text/html"}),
            "file_name",
        ),
        (json!({"file_name": "README", "size": 1}), "file_name"),
        (
            json!({"file_name": "invoice.pdf", "size": 1, "content_type": "text/html"}),
            "content_type",
        ),
    ] {
        let answer = grant(&t, &uma, number, body.clone()).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{body}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{body}");
    }

    // A forged or foreign token, and an upload of the wrong size.
    assert_eq!(
        confirm(&t, &uma, number, &json!("forged.token"))
            .await
            .problem(400),
        "/problems/bad-request"
    );
    let g = grant(
        &t,
        &uma,
        number,
        json!({"file_name": "big.txt", "content_type": "text/plain", "size": 5}),
    )
    .await;
    let other = raised(&t, &uma).await;
    assert_eq!(
        confirm(&t, &uma, other, &g.body["token"])
            .await
            .problem(400),
        "/problems/bad-request",
        "a token is for its ticket only"
    );
    assert_eq!(
        confirm(
            &t,
            &t.login("fulladmin@acme.example").await,
            number,
            &g.body["token"]
        )
        .await
        .problem(400),
        "/problems/bad-request",
        "and for its uploader only"
    );
    assert!(post_file(&g.body, "text/plain", b"much more than five".to_vec()).await < 300);
    let wrong = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!(wrong.problem(422), "/problems/validation");
    let key = g.body["upload"]["fields"]["key"].as_str().unwrap();
    assert!(
        t.s3()
            .head_object()
            .bucket(&t.app.config.table_name)
            .key(key)
            .send()
            .await
            .is_err(),
        "the wrong upload was removed"
    );
    // An expired token.
    let late = grant(
        &t,
        &uma,
        number,
        json!({"file_name": "late.txt", "content_type": "text/plain", "size": 4}),
    )
    .await;
    assert!(post_file(&late.body, "text/plain", b"late".to_vec()).await < 300);
    t.clock.advance(time::Duration::hours(2));
    // (Two idle hours ended the sessions too: the same people sign in again.)
    let (uma, tech) = (
        t.login("user@acme.example").await,
        t.login("tech@northwind.example").await,
    );
    assert_eq!(
        confirm(&t, &uma, number, &late.body["token"])
            .await
            .problem(400),
        "/problems/bad-request"
    );
    let view = t.get(&format!("/api/tickets/{number}"), &uma).await;
    assert_eq!(
        view.body["attachments"].as_array().unwrap().len(),
        1,
        "nothing written by any refused confirm"
    );

    // Closed tickets take no files.
    let closed = patch(
        &t,
        &tech,
        number,
        json!({"status": "resolved", "note": "Replaced the cable; it works again.", "version": view.body["ticket"]["version"]}),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(
        grant(&t, &uma, number, json!({"file_name": "a.txt", "size": 1}))
            .await
            .problem(409),
        "/problems/ticket-closed"
    );
}
