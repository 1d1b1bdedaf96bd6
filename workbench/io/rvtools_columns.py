"""The RVTools column table: one line per column the workbench knows, for every sheet it reads.

Each line is ``canonical | kind | 4.x header | variants``. The canonical name is snake_case
with its unit (``memory_mib``, ``cpu_mhz``); the 4.x header is what RVTools 4.4-4.8 writes;
variants are other headers seen for the same column (3.x ``MB``/``KB`` headers are found
without listing them: headers are compared after MB->MiB and KB->KiB, and also by their
letters and digits only, which folds the ``-DBColumnNames`` spellings such as
``vInfoPowerstate``). Columns not in the table (custom attributes, tag categories, columns
of future versions) are kept under their own header as text.

Kinds: ``str`` text; ``float`` number; ``int`` whole number (nullable); ``bool`` True/False;
``dt`` date and time; ``pct`` a percentage (``'12%'`` or 12.0) as a number; ``hw`` a
virtual hardware version (``14.0``, ``'vmx-14'``) as a whole number; ``build`` a build
number kept as text without Excel's ``.0``; ``sharing`` and ``latency`` the 3.x numeric
enums turned into their 4.x words.
"""

from __future__ import annotations

# Columns every VM sheet (vCPU ... vTools) carries besides its own.
_VM_HEAD = """
vm | str | VM | VM Name
powerstate | str | Powerstate | Power state
template | bool | Template
srm_placeholder | bool | SRM Placeholder
"""
_VM_TAIL = """
annotation | str | Annotation
datacenter | str | Datacenter | Data center
cluster | str | Cluster
host | str | Host
folder | str | Folder
os_config | str | OS according to the configuration file | OS
os_tools | str | OS according to the VMware Tools
vm_id | str | VM ID
vm_uuid | str | VM UUID
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID | vCenter UUID
"""

COLUMNS: dict[str, str] = {
    "vInfo": _VM_HEAD
    + """
config_status | str | Config status
dns_name | str | DNS Name | vInfoGuestHostName
connection_state | str | Connection state
guest_state | str | Guest state
heartbeat | str | Heartbeat
consolidation_needed | bool | Consolidation Needed
power_on_time | dt | PowerOn
suspended_to_memory | str | Suspended To Memory
suspend_time | dt | Suspend time
suspend_interval | str | Suspend Interval
creation_date | dt | Creation date | vInfoCreateDate
change_version | dt | Change Version
vcpus | int | CPUs | vInfoCPUs
cpu_readiness_pct | pct | Overall Cpu Readiness
memory_mib | float | Memory | vInfoMemory
active_memory_mib | float | Active Memory
nics | int | NICs
disks | int | Disks
total_disk_capacity_mib | float | Total disk capacity MiB
fixed_passthru_hotplug | bool | Fixed Passthru HotPlug
min_required_evc_mode | str | min Required EVC Mode Key
latency_sensitivity | latency | Latency Sensitivity
op_notification_timeout | float | Op Notification Timeout
enable_uuid | bool | EnableUUID | disk.EnableUUID
cbt | bool | CBT
primary_ip | str | Primary IP Address | vInfoPrimaryIPAddress
network_1 | str | Network #1
network_2 | str | Network #2
network_3 | str | Network #3
network_4 | str | Network #4
network_5 | str | Network #5
network_6 | str | Network #6
network_7 | str | Network #7
network_8 | str | Network #8
num_monitors | int | Num Monitors
video_ram_kib | float | Video Ram KiB
resource_pool | str | Resource pool | vInfoResourcepool
folder_id | str | Folder ID
vapp | str | vApp
das_protection | str | DAS protection
ft_state | str | FT State
ft_role | str | FT Role
ft_latency | str | FT Latency
ft_bandwidth | str | FT Bandwidth
ft_secondary_latency | str | FT Sec. Latency
failover_in_progress | str | Vm Failover In Progress
provisioned_mib | float | Provisioned MiB | vInfoProvisioned
in_use_mib | float | In Use MiB | vInfoInUse
unshared_mib | float | Unshared MiB
ha_restart_priority | str | HA Restart Priority
ha_isolation_response | str | HA Isolation Response
ha_vm_monitoring | str | HA VM Monitoring
cluster_rules | str | Cluster rule(s)
cluster_rule_names | str | Cluster rule name(s)
boot_required | bool | Boot Required
boot_delay_ms | float | Boot delay
boot_retry_delay_ms | float | Boot retry delay
boot_retry_enabled | bool | Boot retry enabled
boot_bios_setup | bool | Boot BIOS setup
reboot_poweroff | bool | Reboot PowerOff
efi_secure_boot | bool | EFI Secure boot
firmware | str | Firmware
hw_version | hw | HW version
hw_upgrade_status | str | HW upgrade status
hw_upgrade_policy | str | HW upgrade policy
hw_target | str | HW target
path | str | Path
log_directory | str | Log directory
snapshot_directory | str | Snapshot directory
suspend_directory | str | Suspend directory
customization_info | str | Customization Info
guest_detailed_data | str | Guest Detailed Data
smbios_uuid | str | SMBIOS UUID
vi_sdk_server_type | str | VI SDK Server type
vi_sdk_api_version | str | VI SDK API Version
"""
    + _VM_TAIL,
    "vCPU": _VM_HEAD
    + """
vcpus | int | CPUs
sockets | int | Sockets
cores_per_socket | int | Cores p/s | vCPUCoresPerSocket
max_mhz | float | Max
overall_mhz | float | Overall
level | str | Level
shares | float | Shares
reservation_mhz | float | Reservation
entitlement_mhz | float | Entitlement
drs_entitlement_mhz | float | DRS Entitlement
limit_mhz | float | Limit
hot_add | bool | Hot Add
hot_remove | bool | Hot Remove
numa_hotadd_exposed | bool | Numa Hotadd Exposed
"""
    + _VM_TAIL,
    "vMemory": _VM_HEAD
    + """
size_mib | float | Size MiB | vMemorySizeMiB
reservation_locked_to_max | bool | Memory Reservation Locked To Max
overhead_mib | float | Overhead
max_mib | float | Max
consumed_mib | float | Consumed
consumed_overhead_mib | float | Consumed Overhead
private_mib | float | Private
shared_mib | float | Shared
swapped_mib | float | Swapped
ballooned_mib | float | Ballooned
active_mib | float | Active
entitlement_mib | float | Entitlement
drs_entitlement_mib | float | DRS Entitlement
level | str | Level
shares | float | Shares
reservation_mib | float | Reservation
limit_mib | float | Limit
hot_add | bool | Hot Add
"""
    + _VM_TAIL,
    "vDisk": _VM_HEAD
    + """
disk | str | Disk
disk_key | str | Disk Key
disk_uuid | str | Disk UUID
disk_path | str | Disk Path
capacity_mib | float | Capacity MiB | vDiskCapacityMiB
raw | bool | Raw
disk_mode | str | Disk Mode
sharing_mode | str | Sharing mode
thin | bool | Thin
eagerly_scrub | bool | Eagerly Scrub
split | bool | Split
write_through | bool | Write Through
level | str | Level
shares | float | Shares
reservation | float | Reservation
limit | float | Limit
controller | str | Controller
label | str | Label
scsi_unit | float | SCSI Unit #
unit | float | Unit #
shared_bus | sharing | Shared Bus
disk_file | str | Path
raw_lun_id | str | Raw LUN ID
raw_compatibility_mode | str | Raw Comp. Mode | Raw Com. Mode
internal_sort_column | str | Internal Sort Column
"""
    + _VM_TAIL,
    "vPartition": _VM_HEAD
    + """
disk_key | str | Disk Key
disk | str | Disk
capacity_mib | float | Capacity MiB | vPartitionCapacityMiB
consumed_mib | float | Consumed MiB | vPartitionConsumedMiB
free_mib | float | Free MiB
free_pct | pct | Free %
internal_sort_column | str | Internal Sort Column
"""
    + _VM_TAIL,
    "vNetwork": _VM_HEAD
    + """
nic_label | str | NIC label
adapter | str | Adapter
network | str | Network
switch | str | Switch
connected | bool | Connected
starts_connected | bool | Starts Connected
mac_address | str | Mac Address
address_type | str | Type
ipv4_address | str | IPv4 Address | IP Address
ipv6_address | str | IPv6 Address
direct_path_io | bool | Direct Path IO
internal_sort_column | str | Internal Sort Column
"""
    + _VM_TAIL,
    "vCD": _VM_HEAD
    + """
device_node | str | Device Node
connected | bool | Connected
starts_connected | bool | Starts Connected
device_type | str | Device Type
vm_ref | str | VMRef
"""
    + _VM_TAIL,
    "vUSB": _VM_HEAD
    + """
device_node | str | Device Node
device_type | str | Device Type
connected | bool | Connected
family | str | Family
speed | str | Speed
ehci_enabled | bool | EHCI enabled
auto_connect | bool | Auto connect
bus_number | float | Bus number
unit_number | float | Unit number
vm_ref | str | VMRef
"""
    + _VM_TAIL,
    "vSnapshot": _VM_HEAD
    + """
snapshot_name | str | Name
description | str | Description
snapshot_time | dt | Date / time
filename | str | Filename
size_vmsn_mib | float | Size MiB (vmsn)
size_total_mib | float | Size MiB (total)
quiesced | bool | Quiesced
state | str | State
"""
    + _VM_TAIL,
    "vTools": _VM_HEAD
    + """
upgrade_select | str | Upgrade
hw_version | hw | VM Version
tools_status | str | Tools
tools_version | int | Tools Version
required_version | int | Required Version
upgradeable | str | Upgradeable
upgrade_policy | str | Upgrade Policy
sync_time | bool | Sync time
app_status | str | App status
heartbeat_status | str | Heartbeat status
kernel_crash_state | str | Kernel Crash state
operation_ready | bool | Operation Ready
state_change_support | bool | State change support
interactive_guest | bool | Interactive Guest
vm_ref | str | VMRef
"""
    + _VM_TAIL,
    "vHost": """
host | str | Host | vHostName
datacenter | str | Datacenter
cluster | str | Cluster
config_status | str | Config status
compliance_check_state | str | Compliance Check State
in_maintenance_mode | bool | in Maintenance Mode | Maintenance Mode
in_quarantine_mode | bool | in Quarantine Mode
vsan_fault_domain | str | vSAN Fault Domain Name
cpu_model | str | CPU Model
cpu_mhz | float | Speed | vHostCpuMhz
ht_available | bool | HT Available
ht_active | bool | HT Active
cpu_sockets | int | # CPU | vHostNumCpu
cores_per_socket | int | Cores per CPU | vHostCoresPerCPU
cpu_cores | int | # Cores | vHostNumCpuCores
cpu_usage_pct | pct | CPU usage % | vHostOverallCpuUsage
memory_mib | float | # Memory | vHostMemorySize
memory_tiering_type | str | Memory Tiering Type
memory_usage_pct | pct | Memory usage % | vHostOverallMemoryUsage
console | float | Console
nics | int | # NICs
hbas | int | # HBAs
vms_total | int | # VMs total | vHostVMsTotal
vms_running | int | # VMs | vHostVMs
vms_per_core | float | VMs per Core
vcpus_running | int | # vCPUs | vHostvCPUs
vcpus_per_core | float | vCPUs per Core
vram_running_mib | float | vRAM | vHostvRAM
vm_used_memory_mib | float | VM Used memory
vm_memory_swapped_mib | float | VM Memory Swapped
vm_memory_ballooned_mib | float | VM Memory Ballooned
vmotion_support | bool | VMotion support
storage_vmotion_support | bool | Storage VMotion support
current_evc | str | Current EVC
max_evc | str | Max EVC
assigned_licenses | str | Assigned License(s)
ats_heartbeat | str | ATS Heartbeat
ats_locking | str | ATS Locking
cpu_power_policy | str | Current CPU power man. policy
cpu_power_supported | str | Supported CPU power man.
host_power_policy | str | Host Power Policy
esx_version | str | ESX Version | vHostFullName
boot_time | dt | Boot time
dns_servers | str | DNS Servers
dhcp | bool | DHCP
domain | str | Domain
domain_list | str | Domain List
dns_search_order | str | DNS Search Order
ntp_servers | str | NTP Server(s)
ntpd_running | bool | NTPD running
time_zone | str | Time Zone
time_zone_name | str | Time Zone Name
gmt_offset | str | GMT Offset
vendor | str | Vendor
model | str | Model
serial_number | str | Serial number
service_tag | str | Service tag
oem_specific_string | str | OEM specific string
bios_vendor | str | BIOS Vendor
bios_version | str | BIOS Version
bios_date | dt | BIOS Date
certificate_issuer | str | Certificate Issuer
certificate_start_date | dt | Certificate Start Date
certificate_expiry_date | dt | Certificate Expiry Date
certificate_status | str | Certificate Status
certificate_subject | str | Certificate Subject
object_id | str | Object ID
autodeploy_machine_identity | str | AutoDeploy.MachineIdentity
uuid | str | UUID
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vCluster": """
cluster | str | Name | vClusterName; Cluster
config_status | str | Config status
overall_status | str | OverallStatus
hosts | int | NumHosts | vClusterNumHosts; # Hosts
effective_hosts | int | numEffectiveHosts
total_cpu_mhz | float | TotalCpu | vClusterTotalCpu
cpu_cores | int | NumCpuCores | # Cores
cpu_threads | int | NumCpuThreads | # CPU Threads
effective_cpu_mhz | float | Effective Cpu
total_memory_mib | float | TotalMemory | vClusterTotalMemory
effective_memory_mib | float | Effective Memory
vmotions | int | Num VMotions
ha_enabled | bool | HA enabled
failover_level | float | Failover Level
admission_control_enabled | bool | AdmissionControlEnabled
host_monitoring | str | Host monitoring
hb_datastore_policy | str | HB Datastore Candidate Policy
isolation_response | str | Isolation Response
restart_priority | str | Restart Priority
cluster_settings | bool | Cluster Settings
max_failures | float | Max Failures
max_failure_window | float | Max Failure Window
failure_interval | float | Failure Interval
min_up_time | float | Min Up Time
vm_monitoring | str | VM Monitoring
drs_enabled | bool | DRS enabled
drs_behavior | str | DRS default VM behavior
drs_vmotion_rate | float | DRS vmotion rate
dpm_enabled | bool | DPM enabled
dpm_behavior | str | DPM default behavior
dpm_power_action_rate | float | DPM Host Power Action Rate
object_id | str | Object ID
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vSwitch": """
host | str | Host
datacenter | str | Datacenter
cluster | str | Cluster
switch | str | Switch
ports | int | # Ports
free_ports | int | Free Ports
promiscuous_mode | bool | Promiscuous Mode
mac_changes | bool | Mac Changes
forged_transmits | bool | Forged Transmits
mtu | int | MTU
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vPort": """
host | str | Host
datacenter | str | Datacenter
cluster | str | Cluster
port_group | str | Port Group
switch | str | Switch
vlan | str | VLAN
promiscuous_mode | bool | Promiscuous Mode
mac_changes | bool | Mac Changes
forged_transmits | bool | Forged Transmits
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "dvSwitch": """
switch | str | Switch
datacenter | str | Datacenter
name | str | Name
vendor | str | Vendor
version | str | Version
host_members | str | Host members
max_ports | int | Max Ports
ports | int | # Ports
vms | int | # VMs
max_mtu | int | Max MTU
object_id | str | Object ID
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "dvPort": """
port | str | Port
switch | str | Switch
binding | str | Type
ports | int | # Ports
vlan | str | VLAN
object_id | str | Object ID
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vDatastore": """
datastore | str | Name | vDatastoreName
config_status | str | Config status
address | str | Address
accessible | bool | Accessible
type | str | Type
vms_total | int | # VMs total
vms | int | # VMs
capacity_mib | float | Capacity MiB | vDatastoreCapacity
provisioned_mib | float | Provisioned MiB | vDatastoreProvisioned
in_use_mib | float | In Use MiB | vDatastoreInUse
free_mib | float | Free MiB | vDatastoreFreeSpace
free_pct | pct | Free %
sioc_enabled | bool | SIOC enabled
sioc_threshold | float | SIOC Threshold
host_count | int | # Hosts
hosts | str | Hosts
datastore_cluster | str | Cluster name | Datastore cluster name; StoragePod name
datastore_cluster_capacity_mib | float | Cluster capacity MiB
datastore_cluster_free_mib | float | Cluster free space MiB
block_size | float | Block size
max_blocks | float | Max Blocks
extents | int | # Extents
major_version | float | Major Version
version | str | Version
vmfs_upgradeable | bool | VMFS Upgradeable
mha | bool | MHA
url | str | URL
object_id | str | Object ID
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vSource": """
name | str | Name
os_type | str | OS type
api_type | str | API type
api_version | str | API version
version | str | Version
patch_level | build | Patch level
build | build | Build
fullname | str | Fullname
product_name | str | Product name
product_version | str | Product version
product_line | str | Product line
vendor | str | Vendor
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vLicense": """
name | str | Name
key | str | Key
labels | str | Labels
cost_unit | str | Cost Unit
total | float | Total
used | float | Used
expiration_date | str | Expiration Date
features | str | Features
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vHealth": """
name | str | Name
message | str | Message
message_type | str | Message type
vi_sdk_server | str | VI SDK Server
vi_sdk_uuid | str | VI SDK UUID
""",
    "vMetaData": """
major_version | str | RVTools major version
version | str | RVTools version
created_at | dt | xlsx creation datetime
server | str | Server
""",
}


# Columns every file must have for the workbench to make sense of a sheet; a sheet missing
# one of these is still read, and the gap is reported in the quality report.
ESSENTIAL: dict[str, tuple[str, ...]] = {
    "vInfo": (
        "vm",
        "powerstate",
        "template",
        "vcpus",
        "memory_mib",
        "provisioned_mib",
        "in_use_mib",
        "cluster",
        "host",
    ),
    "vHost": ("host", "cluster", "cpu_sockets", "cpu_cores", "cpu_mhz", "memory_mib"),
    "vCluster": ("cluster", "hosts", "cpu_cores", "total_memory_mib"),
    "vDisk": ("vm", "capacity_mib", "raw", "disk_mode"),
    "vPartition": ("vm", "capacity_mib", "consumed_mib"),
    "vDatastore": ("datastore", "capacity_mib", "free_mib", "hosts"),
    "vSnapshot": ("vm", "snapshot_time", "size_total_mib"),
    "vTools": ("vm", "tools_status"),
}

# The column naming what a row is about. A row where it is blank (a totals row added in
# Excel, say) is dropped and reported.
IDENTITY: dict[str, str] = {
    **{
        sheet: "vm"
        for sheet in (
            "vInfo",
            "vCPU",
            "vMemory",
            "vDisk",
            "vPartition",
            "vNetwork",
            "vCD",
            "vUSB",
            "vSnapshot",
            "vTools",
        )
    },
    "vHost": "host",
    "vCluster": "cluster",
    "vDatastore": "datastore",
    "vSwitch": "switch",
    "vPort": "port_group",
    "dvSwitch": "switch",
    "dvPort": "port",
}

# Sheets read, in the order RVTools writes them. vInfo is the one a file must have.
SHEETS: tuple[str, ...] = tuple(COLUMNS)
VM_SHEETS: tuple[str, ...] = (
    "vInfo",
    "vCPU",
    "vMemory",
    "vDisk",
    "vPartition",
    "vNetwork",
    "vCD",
    "vUSB",
    "vSnapshot",
    "vTools",
)


def parse_table() -> dict[str, list[tuple[str, str, str, tuple[str, ...]]]]:
    """The table above as ``{sheet: [(canonical, kind, header, variants), ...]}``."""
    table: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {}
    for sheet, text in COLUMNS.items():
        rows = []
        for line in filter(str.strip, text.splitlines()):
            parts = [part.strip() for part in line.split("|")]
            variants = tuple(v.strip() for v in parts[3].split(";")) if len(parts) > 3 else ()
            rows.append((parts[0], parts[1], parts[2], variants))
        table[sheet] = rows
    return table
