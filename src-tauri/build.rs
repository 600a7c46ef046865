fn main() {
    // Generates `allow-<command>` permissions so capabilities/main.json can grant exactly these.
    let manifest =
        tauri_build::AppManifest::new().commands(&["create_lead", "list_leads", "sync_status"]);
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        panic!("tauri build step failed: {error:#}");
    }
}
