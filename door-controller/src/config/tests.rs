use super::*;
use gatehouse_core::ids::DoorId;
use gatehouse_hardware::door_io::LockWiring;
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../door.example.toml");

#[test]
fn the_example_loads() {
    let config = ControllerConfig::parse(EXAMPLE).unwrap();
    assert_eq!(config.controller.name, "lobby-pi");
    assert_eq!(config.hardware.backend, Backend::Gpio);
    assert_eq!(config.doors.len(), 2);
    let front = &config.doors[0];
    assert_eq!(front.id, DoorId(1));
    assert_eq!(front.lock, LockWiring::FailSecure);
    assert_eq!(front.strike_time.0, Duration::from_secs(5));
    assert_eq!(front.readers[1].interface, ReaderInterface::Osdp);
    assert_eq!(front.readers[1].direction, Side::Out);
    let server_room = &config.doors[1];
    // Defaults fill what the file leaves out.
    assert_eq!(server_room.held_open_time.0, Duration::from_secs(30));
    assert_eq!(
        config.journal_dir(),
        Path::new("/var/lib/gatehouse-door/journal")
    );
    assert_eq!(config.journal.sync_window.0, Duration::from_millis(20));
}

/// A small simulated controller to break one key at a time.
const SIM: &str = r#"
[controller]
name = "t"
state_dir = "/tmp/x"
[hardware]
backend = "sim"
[[door]]
name = "front"
id = 1
lock = "fail_safe"
[[door.reader]]
name = "front-in"
direction = "in"
interface = "sim"
"#;

#[test]
fn a_simulated_controller_needs_no_pins() {
    let config = ControllerConfig::parse(SIM).unwrap();
    assert_eq!(config.sim_socket(), Path::new("/tmp/x/sim.sock"));
}

/// Each broken file and the key its error must name, with a piece of the message.
#[test]
fn errors_name_the_key() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (what to replace, with what, key, message piece)
        (
            "lock = \"fail_safe\"",
            "lock = \"fail_open\"",
            "door[0].lock",
            "unknown variant `fail_open`",
        ),
        (
            "direction = \"in\"",
            "direction = \"inside\"",
            "door[0].reader[0].direction",
            "unknown variant `inside`",
        ),
        (
            "id = 1",
            "id = 1\nstrike = \"5s\"",
            "door[0].strike",
            "unknown field `strike`",
        ),
        (
            "id = 1",
            "id = 1\nstrike_time = \"5\"",
            "door[0].strike_time",
            "\"5\" is not a duration",
        ),
        (
            "id = 1",
            "id = 1\nstrike_time = \"10m\"",
            "door[0].strike_time",
            "600s is out of range",
        ),
        (
            "id = 1",
            "id = 1\nheld_open_time = \"5s\"",
            "door[0].pre_alarm",
            "longer than held_open_time",
        ),
        ("id = 1\n", "", "door[0]", "missing field `id`"),
        (
            "name = \"t\"",
            "name = \"\"",
            "controller.name",
            "non-empty",
        ),
        (
            "backend = \"sim\"",
            "backend = \"pigpio\"",
            "hardware.backend",
            "unknown variant `pigpio`",
        ),
        (
            "backend = \"sim\"",
            "backend = \"gpio\"",
            "door[0].lock_pin",
            "hardware.backend = \"gpio\" needs a pin here",
        ),
        (
            "interface = \"sim\"",
            "interface = \"osdp\"\nport = \"/dev/ttyUSB0\"\naddress = 127",
            "door[0].reader[0].address",
            "127 is not an OSDP reader address",
        ),
        (
            "interface = \"sim\"",
            "interface = \"osdp\"\nport = \"/dev/ttyUSB0\"\naddress = 1\nbaud = 1200",
            "door[0].reader[0].baud",
            "1200 is not one of",
        ),
        (
            "[hardware]",
            "[journal]\nmax_mib = 0\n[hardware]",
            "journal.max_mib",
            "between 1 and 4096",
        ),
        (
            "[controller]",
            "[server]\nurl = \"ftp://x\"\n[controller]",
            "server.url",
            "not an http(s) URL",
        ),
        (
            "interface = \"sim\"",
            "interface = \"sim\"\n[[door.reader]]\nname = \"front-in\"\ndirection = \"out\"\ninterface = \"sim\"",
            "door[0].reader[1].name",
            "names another reader",
        ),
        (
            "[[door]]\nname = \"front\"\nid = 1\nlock = \"fail_safe\"\n[[door.reader]]\nname = \"front-in\"\ndirection = \"in\"\ninterface = \"sim\"\n",
            "",
            "door",
            "no doors",
        ),
        (
            "[hardware]\nbackend = \"sim\"\n",
            "",
            "",
            "missing field `hardware`",
        ),
        (
            "state_dir",
            "state_dir = [",
            "",
            "invalid array expected `]` (line 4)",
        ),
    ];
    for (from, to, key, piece) in cases {
        assert!(SIM.contains(from), "case {from:?} does not apply");
        let text = SIM.replacen(from, to, 1);
        let err = ControllerConfig::parse(&text).unwrap_err();
        assert_eq!(err.key(), *key, "{text}\n→ {err}");
        assert!(err.to_string().contains(piece), "{text}\n→ {err}");
    }
}

/// On GPIO, each pin is claimed once and every output and input needs one.
#[test]
fn gpio_pins() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "lock_pin = 16",
            "lock_pin = 17",
            "door[1].lock_pin",
            "pin 17 is already used by door[0].lock_pin",
        ),
        (
            "lock_pin = 16",
            "lock_pin = 28",
            "door[1].lock_pin",
            "28 is not a GPIO pin",
        ),
        (
            "lock_pin = 16\n",
            "",
            "door[1].lock_pin",
            "needs a pin here",
        ),
        (
            "d1 = 25",
            "d1 = 24",
            "door[0].reader[0].d1",
            "pin 24 is already used by door[0].reader[0].d0",
        ),
        (
            "d1 = 25\n",
            "",
            "door[0].reader[0].d1",
            "a wiegand reader needs d0 and d1",
        ),
        (
            "address = 2",
            "address = 1",
            "door[1].reader[0].address",
            "1 is taken by another reader on /dev/ttyUSB0",
        ),
        (
            "address = 2",
            "address = 2\nbaud = 19200",
            "door[1].reader[0].baud",
            "another reader on /dev/ttyUSB0 runs at 9600",
        ),
        (
            "port = \"/dev/ttyACM0\"",
            "port = \"/dev/ttyACM0\"\nd0 = 3",
            "door[1].reader[1].d0",
            "not a key of a qr_serial reader",
        ),
        (
            "rex = { pin = 21, wiring = \"normally_open\" }",
            "rex = { wiring = \"normally_open\" }",
            "door[1].inputs.rex.pin",
            "needs a pin here",
        ),
    ];
    for (from, to, key, piece) in cases {
        assert!(EXAMPLE.contains(from), "case {from:?} does not apply");
        let text = EXAMPLE.replacen(from, to, 1);
        let err = ControllerConfig::parse(&text).unwrap_err();
        assert_eq!(err.key(), *key, "{from} → {to}\n→ {err}");
        assert!(err.to_string().contains(piece), "{from} → {to}\n→ {err}");
    }
}

/// A reader's keys, and the key and message of its error (none: it loads).
type ReaderCase = (&'static str, Option<(&'static str, &'static str)>);

/// Under `sim`, serial and evdev readers are real (a real scanner on a laptop bench): they
/// need their keys, exactly as on the Pi. Wiegand readers stay simulated with their pins.
#[test]
fn real_readers_under_the_simulator() {
    let cases: &[ReaderCase] = &[
        ("interface = \"qr_serial\"\nport = \"/dev/ttyACM0\"", None),
        (
            "interface = \"osdp\"\nport = \"/dev/ttyUSB0\"\naddress = 3\nbaud = 19200",
            None,
        ),
        (
            "interface = \"qr_wedge\"\ndevice = \"/dev/input/event3\"",
            None,
        ),
        ("interface = \"wiegand\"\nd0 = 24\nd1 = 25", None),
        ("interface = \"wiegand\"", None),
        (
            "interface = \"qr_serial\"",
            Some((
                "door[0].reader[0].port",
                "door[0].reader[0].port: missing: a qr_serial reader needs port",
            )),
        ),
        (
            "interface = \"osdp\"\nport = \"/dev/ttyUSB0\"",
            Some((
                "door[0].reader[0].address",
                "door[0].reader[0].address: missing: a osdp reader needs port and address",
            )),
        ),
        (
            "interface = \"qr_wedge\"\ndevice = \"/dev/input/event3\"\nport = \"/dev/ttyS0\"",
            Some((
                "door[0].reader[0].port",
                "door[0].reader[0].port: not a key of a qr_wedge reader",
            )),
        ),
        (
            "interface = \"osdp\"\nport = \"/dev/ttyUSB0\"\naddress = 1\n\
             [[door.reader]]\nname = \"front-out\"\ndirection = \"out\"\ninterface = \"osdp\"\n\
             port = \"/dev/ttyUSB0\"\naddress = 1",
            Some((
                "door[0].reader[1].address",
                "door[0].reader[1].address: 1 is taken by another reader on /dev/ttyUSB0",
            )),
        ),
    ];
    for (reader, want) in cases {
        let text = SIM.replacen("interface = \"sim\"", reader, 1);
        let got = ControllerConfig::parse(&text);
        match (want, got) {
            (None, Ok(config)) => assert_eq!(config.real_readers().count(), {
                usize::from(!reader.contains("wiegand"))
            }),
            (Some((key, message)), Err(err)) => {
                assert_eq!((err.key(), err.to_string().as_str()), (*key, *message));
            }
            (want, got) => panic!("{reader}: want {want:?}, got {got:?}"),
        }
    }
}

/// A build without the `rpi` feature refuses a file that needs GPIO, naming the first pin
/// key; one with it, and any build for a file on the simulator, accepts it.
#[test]
fn a_build_without_gpio_refuses_a_file_that_needs_it() {
    let gpio = ControllerConfig::parse(EXAMPLE).unwrap();
    let want = "door[0].lock_pin: this build has no GPIO back-end (built without the rpi feature)";
    let err = check::build_check(&gpio, false).unwrap_err();
    assert_eq!(
        (err.key(), err.to_string().as_str()),
        ("door[0].lock_pin", want)
    );
    assert!(check::build_check(&gpio, true).is_ok());
    let this_build = gpio.check_build().map_err(|e| e.to_string());
    let expected = if cfg!(feature = "rpi") {
        Ok(())
    } else {
        Err(want.to_owned())
    };
    assert_eq!(this_build, expected);
    // The simulator needs no GPIO, whatever pins and Wiegand readers the file names.
    let wiegand = SIM.replacen(
        "interface = \"sim\"",
        "interface = \"wiegand\"\nd0 = 4\nd1 = 5",
        1,
    );
    let sim = ControllerConfig::parse(&wiegand).unwrap();
    assert!(check::build_check(&sim, false).is_ok());
    assert!(sim.gpio_pins().is_empty());
    let pins: Vec<_> = gpio
        .gpio_pins()
        .into_iter()
        .map(|(k, p)| (k, p.unwrap_or(255)))
        .collect();
    assert_eq!(
        pins[..3],
        [
            ("door[0].lock_pin".to_owned(), 17),
            ("door[0].led.red_pin".to_owned(), 27),
            ("door[0].led.green_pin".to_owned(), 22),
        ]
    );
    assert_eq!(
        pins.last(),
        Some(&("door[1].inputs.rex.pin".to_owned(), 21))
    );
    assert_eq!(pins.len(), 13);
}
