//! Devices as torch names them (`cpu`, `cuda:1`, ...): parsing a device string with torch's
//! errors, and the check that a device is one rtensor can put a tensor on (only the CPU; CUDA
//! fails as in a PyTorch build without CUDA).

use crate::error::{Error, Result};

/// The device types torch's parser knows, in the order its message lists them.
pub const DEVICE_TYPES: &[&str] = &[
    "cpu",
    "cuda",
    "ipu",
    "xpu",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "hip",
    "ve",
    "fpga",
    "maia",
    "xla",
    "lazy",
    "vulkan",
    "mps",
    "meta",
    "hpu",
    "mtia",
    "privateuseone",
];

/// A parsed device: its type (one of [`DEVICE_TYPES`]) and optional index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Device {
    /// The device type, `cpu`, `cuda`, ...
    pub kind: &'static str,
    /// The index (`cuda:1`), when one was given.
    pub index: Option<i64>,
}

/// A device type name, with torch's error for an unknown one (`whole`: the string parsed).
pub fn device_type(name: &str, whole: &str) -> Result<&'static str> {
    DEVICE_TYPES
        .iter()
        .find(|&&t| t == name)
        .copied()
        .ok_or_else(|| {
            Error::Runtime(format!(
                "Expected one of {} device type at start of device string: {}",
                DEVICE_TYPES.join(", "),
                whole
            ))
        })
}

impl Device {
    /// The CPU.
    pub const CPU: Device = Device {
        kind: "cpu",
        index: None,
    };

    /// Parses `type[:index]` as torch's `c10::Device(std::string)` does, with its messages.
    pub fn parse(s: &str) -> Result<Device> {
        if s.is_empty() {
            return Err(Error::Runtime("Device string must not be empty".into()));
        }
        let invalid = || Error::Runtime(format!("Invalid device string: '{}'", s));
        let (name, index) = match s.split_once(':') {
            None => (s, None),
            Some((name, idx)) => (name, Some(idx)),
        };
        if name.is_empty() || name.chars().any(|c| c.is_ascii_digit()) {
            // `:0`, `cpu0`: no type, or digits without the colon.
            return Err(invalid());
        }
        let kind = device_type(name, s)?;
        let index = match index {
            None => None,
            Some(idx) => {
                let digits = !idx.is_empty() && idx.chars().all(|c| c.is_ascii_digit());
                if !digits || (idx.len() > 1 && idx.starts_with('0')) {
                    return Err(invalid());
                }
                match idx.parse::<i32>() {
                    Ok(i) => Some(i as i64),
                    Err(_) => {
                        return Err(Error::Runtime(format!(
                            "Could not parse device index '{}' in device string '{}'",
                            idx, s
                        )))
                    }
                }
            }
        };
        Ok(Device { kind, index })
    }

    /// Ok for the CPU; for any other device, the error torch built without that backend raises
    /// when a tensor is put there (CUDA: `AssertionError: Torch not compiled with CUDA enabled`).
    pub fn check_available(&self) -> Result<()> {
        match self.kind {
            "cpu" => Ok(()),
            "cuda" => Err(Error::Assertion(
                "Torch not compiled with CUDA enabled".into(),
            )),
            "mps" => Err(Error::Runtime(
                "PyTorch is not linked with support for mps devices".into(),
            )),
            other => {
                let backend = match other {
                    "meta" => "Meta".to_string(),
                    "lazy" => "Lazy".to_string(),
                    "vulkan" => "Vulkan".to_string(),
                    "privateuseone" => "PrivateUse1".to_string(),
                    "mkldnn" => "MkldnnCPU".to_string(),
                    _ => other.to_uppercase(),
                };
                Err(Error::NotImplemented(format!(
                    "Could not run 'aten::empty.memory_format' with arguments from the '{}' backend.",
                    backend
                )))
            }
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "{}:{}", self.kind, i),
            None => write!(f, "{}", self.kind),
        }
    }
}

/// Checks a `device=` argument (a device string; `None` is the CPU): Ok for the CPU, else
/// torch's parse error or the error for a device rtensor does not have.
pub fn check_device(device: Option<&str>) -> Result<()> {
    match device {
        None => Ok(()),
        Some(s) => Device::parse(s)?.check_available(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_torch() {
        assert_eq!(Device::parse("cpu").unwrap(), Device::CPU);
        assert_eq!(Device::parse("cuda:2").unwrap().index, Some(2));
        for bad in [
            "cuda:01", "cuda:", ":0", "cpu0", "cpu::0", "cuda:-1", "cuda: 1",
        ] {
            assert_eq!(
                Device::parse(bad).unwrap_err().to_string(),
                format!("Invalid device string: '{}'", bad)
            );
        }
        assert!(Device::parse("foo")
            .unwrap_err()
            .to_string()
            .starts_with("Expected one of cpu, cuda,"));
        assert!(check_device(Some("cpu:3")).is_ok());
        assert!(matches!(
            check_device(Some("cuda")),
            Err(Error::Assertion(_))
        ));
    }
}
