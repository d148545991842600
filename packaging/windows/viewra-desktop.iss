; Inno Setup 6 script: the Windows installer of Viewra Desktop.
; packaging/build-windows.ps1 copies it into build\windows beside the generated
; associations.iss (packaging/file_types.py) and runs:
;   iscc /DAppVersion=V /DSourceDir=DIST\viewra-desktop /DOutputDir=DIST /DIconFile=ICO viewra-desktop.iss
;
; Installs for the current user by default (no administrator rights: %LOCALAPPDATA%\Programs),
; or for all users if chosen in the first page. Adds a Start menu entry, registers the video
; types under "Open with", and an uninstaller in Settings > Apps. Windows 10 and later do not
; let an installer take over a type's default program: Windows asks the user the next time
; such a file is opened (or: right-click > Open with > Choose another app > Always).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{57E016DC-9D5F-48BB-BC07-286B34031F3C}
AppName=Viewra Desktop
AppVersion={#AppVersion}
AppVerName=Viewra Desktop {#AppVersion}
AppPublisher=Viewra Desktop
DefaultDirName={autopf}\Viewra Desktop
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir={#OutputDir}
OutputBaseFilename=viewra-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\viewra-desktop.exe
UninstallDisplayName=Viewra Desktop
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Viewra Desktop"; Filename: "{app}\viewra-desktop.exe"
Name: "{autodesktop}\Viewra Desktop"; Filename: "{app}\viewra-desktop.exe"; Tasks: desktopicon

[Registry]
#include "associations.iss"

[Run]
Filename: "{app}\viewra-desktop.exe"; Description: "{cm:LaunchProgram,Viewra Desktop}"; Flags: nowait postinstall skipifsilent
