//! Compose files planned as the docker CLI plans them.

use super::*;

const SEED: &str = r#"version: "3"
services:
  nginx:
    image: nginx
    ports:
      - 8888:80
    deploy:
      mode: replicated
      replicas: 3

  visualizer:
    image: dockersamples/visualizer
    ports:
      - "8080:8080"
    volumes:
      - "/var/run/docker.sock:/var/run/docker.sock"
    deploy:
      replicas: 1
      placement:
        constraints: [node.role == manager]

  portainer:
    image: portainer/portainer
    ports:
      - "9000:9000"
    volumes:
      - "/var/run/docker.sock:/var/run/docker.sock"
    deploy:
      replicas: 1
      placement:
        constraints: [node.role == manager]
"#;

/// The built-in cluster's registry pins the images it knows.
fn registry(image: &str) -> String {
    crate::infra::images::pin(image).unwrap_or_else(|| image.to_string())
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn seed_compose_file() {
    let p = plan(
        "docker-compose.yml",
        SEED,
        "deploy_deamon",
        &no_env,
        &registry,
    )
    .unwrap();
    assert_eq!(p.networks.len(), 1);
    assert_eq!(p.networks[0].name, "deploy_deamon_default");
    let names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "deploy_deamon_nginx",
            "deploy_deamon_portainer",
            "deploy_deamon_visualizer"
        ]
    );
    let nginx = &p.services[0];
    assert_eq!(nginx.mode, ServiceMode::Replicated { replicas: 3 });
    assert_eq!(nginx.endpoint().ports[0].published_port, 8888);
    assert_eq!(nginx.labels[STACK_LABEL], "deploy_deamon");
    assert_eq!(
        nginx.task_template.networks[0].target,
        "deploy_deamon_default"
    );
    assert_eq!(
        nginx.task_template.networks[0].aliases,
        vec!["nginx".to_string()]
    );
    let viz = &p.services[2];
    assert_eq!(
        viz.task_template.constraints(),
        ["node.role == manager".to_string()]
    );
    assert_eq!(
        viz.task_template.container_spec.mounts[0].r#type,
        MountType::Bind
    );
}

#[test]
fn bad_files_name_the_line() {
    let e = plan(
        "c.yml",
        "services:\n  web:\n    imagee: nginx\n",
        "s",
        &no_env,
        &registry,
    )
    .unwrap_err();
    assert!(
        e.starts_with("c.yml: line 3 column 5: unknown field `imagee`"),
        "{e}"
    );
    let e = plan(
        "c.yml",
        "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n",
        "s",
        &no_env,
        &registry,
    )
    .unwrap_err();
    assert!(e.contains("line 5"), "{e}");
    let e = plan(
        "c.yml",
        "services:\n  web:\n    image: nginx\n    networks: [missing]\n",
        "s",
        &no_env,
        &registry,
    )
    .unwrap_err();
    assert!(e.contains("undefined network missing"), "{e}");
    let e = plan("c.yml", "services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        constraints: [node.role=manager]\n", "s", &no_env, &registry).unwrap_err();
    assert!(
        e.contains("constraint expected one operator from ==, !="),
        "{e}"
    );
    assert!(
        plan(
            "c.yml",
            "version: \"2\"\nservices:\n  web:\n    image: nginx\n",
            "s",
            &no_env,
            &registry
        )
        .is_err()
    );
    let e = plan(
        "c.yml",
        "servics:\n  web:\n    image: nginx\n",
        "s",
        &no_env,
        &registry,
    )
    .unwrap_err();
    assert_eq!(
        e,
        "c.yml: (root) Additional property servics is not allowed"
    );
    assert!(
        plan(
            "c.yml",
            "x-common: &c\n  image: nginx\nservices:\n  web:\n    image: nginx\n",
            "s",
            &no_env,
            &registry
        )
        .is_ok()
    );
}

#[test]
fn interpolation() {
    let env = |k: &str| {
        if k == "TAG" {
            Some("1.16-alpine".to_string())
        } else {
            None
        }
    };
    let p = plan("c.yml", "services:\n  web:\n    image: nginx:${TAG}\n    environment:\n      - A=${MISSING:-dflt}\n", "s", &env, &registry).unwrap();
    assert!(
        p.services[0]
            .task_template
            .container_spec
            .image
            .starts_with("nginx:1.16-alpine@sha256:")
    );
    assert_eq!(
        p.services[0].task_template.container_spec.env,
        vec!["A=dflt".to_string()]
    );
}
