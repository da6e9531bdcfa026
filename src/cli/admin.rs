//! `gatehouse admin create|reset-password`: console users made or rescued from the command
//! line, on the database the server uses. Either way the user gets a one-time password,
//! printed alone on stdout, which they must replace at their first sign-in.

use super::Failure;
use super::server::load_config;
use clap::{Args, Subcommand};
use gatehouse_server::auth::password;
use gatehouse_server::startup::{first_site, open_store};
use gatehouse_server::store::{NewUser, Role, Store, StoreError};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user; print their one-time password.
    Create(CreateArgs),
    /// Give a user a new one-time password (printed), unlock the account and end their
    /// sessions.
    ResetPassword(ResetArgs),
}

/// Where the store is: the server's configuration, or just its data directory.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// A TOML configuration file (see server/gatehouse.example.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The server's data directory; overrides the configuration.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The login name: 1 to 64 letters, digits or . _ - @.
    #[arg(long)]
    username: String,
    /// admin, security, receptionist, host or auditor.
    #[arg(long, value_parser = parse_role)]
    role: Role,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The user whose password is reset.
    #[arg(long)]
    username: String,
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        format!("no role {name:?}; one of {}", names.join(", "))
    })
}

pub fn run(cmd: AdminCommand) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::Usage(format!("cannot start the runtime: {e}")))?;
    let one_time = runtime.block_on(async {
        match cmd {
            AdminCommand::Create(args) => create(args).await,
            AdminCommand::ResetPassword(args) => reset_password(args).await,
        }
    })?;
    println!("{one_time}");
    Ok(())
}

async fn open(args: StoreArgs) -> Result<Store, Failure> {
    let config = load_config(args.config.as_deref(), args.data_dir, None)?;
    open_store(&config)
        .await
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// A fresh one-time password and its hash.
fn one_time_password() -> (String, String) {
    let one_time = password::one_time();
    let hash = password::hash(&one_time).expect("a generated password has a valid length");
    (one_time, hash)
}

async fn create(args: CreateArgs) -> Result<String, Failure> {
    let store = open(args.store).await?;
    let now = super::now().0;
    let site = first_site(&store, now)
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let (one_time, password_hash) = one_time_password();
    let user = NewUser {
        username: args.username,
        password_hash,
        role: args.role,
        person: None,
        must_change_password: true,
    };
    let created = store
        .create_user(site, &user, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => {
                Failure::Usage(format!("a user named {:?} already exists", user.username))
            }
            other => Failure::Usage(other.to_string()),
        })?;
    eprintln!(
        "created {} user {:?}; their one-time password follows, to be changed at first sign-in",
        created.role.name(),
        created.username
    );
    Ok(one_time)
}

async fn reset_password(args: ResetArgs) -> Result<String, Failure> {
    let store = open(args.store).await?;
    let store_error = |e: StoreError| Failure::Usage(e.to_string());
    let record = store
        .login_record(&args.username)
        .await
        .map_err(store_error)?
        .ok_or_else(|| Failure::Usage(format!("no user named {:?}", args.username)))?;
    let (one_time, password_hash) = one_time_password();
    store
        .set_password(record.user.id, &password_hash, true)
        .await
        .map_err(store_error)?;
    store
        .end_sessions(record.user.id, None)
        .await
        .map_err(store_error)?;
    eprintln!(
        "reset the password of {:?} and unlocked the account; the one-time password follows",
        args.username
    );
    Ok(one_time)
}
