-- Plays Distill (VST3) in a headless Ardour 7 session: a MIDI region of exact notes, exact plugin automation.
--   ardour7-lua ardour-render.lua VST3_DIR SESSION_DIR OUT_DIR RATE CLASS_ID SCORE MODE SECONDS
-- VST3_DIR holds Distill.vst3 (already scanned into $XDG_CACHE_HOME: ardour-lua only reads the cache);
-- SESSION_DIR must not exist. SCORE is a text file of lines
--   note KEY VELOCITY START LENGTH        (MIDI key and velocity 1–127, seconds from the region start)
--   auto PARAM TIME FRACTION              (control input PARAM at TIME seconds, FRACTION of its range)
-- Automation is a step at each point: the value holds until the next point (Ardour ramps over 1 ms to it).
-- MODE "export" exports SECONDS of the region to OUT_DIR/distill.wav, 32-bit float at the session rate (Ardour
-- freewheels; the float preset is written to $XDG_CONFIG_HOME/ardour7/export);
-- MODE "roll" plays SECONDS in real time and deactivates the plugin, so it logs its underrun count.
-- Prints "DISTILL-DONE" on success. Ardour 7.3 quirks (each observed): strict I/O aborts some runs; Lua cannot
-- create a MIDI region, so one is recorded from a feeder track and its notes are then rewritten exactly;
-- teardown sometimes crashes, so the script ends with os.exit(0).
io.stdout:setvbuf ("no")
local vst3_dir, session_dir, out_dir = arg[1], arg[2], arg[3]
local rate, class_id, score, mode, seconds = tonumber (arg[4]), arg[5], arg[6], arg[7], tonumber (arg[8])

local function fail (message) print ("DISTILL-FAILED " .. message); os.exit (1) end

local notes, points = {}, {}
for line in io.lines (score) do
  local kind, a, b, c, d = line:match ("^(%a+)%s+(%S+)%s+(%S+)%s+(%S+)%s*(%S*)")
  if kind == "note" then
    table.insert (notes, { key = tonumber (a), velocity = tonumber (b), start = tonumber (c), length = tonumber (d) })
  elseif kind == "auto" then
    table.insert (points, { param = tonumber (a), time = tonumber (b), fraction = tonumber (c) })
  end
end

AudioEngine:set_backend ("None (Dummy)", "", "")
ARDOUR.config ():set_plugin_path_vst3 (vst3_dir)
local s = create_session (session_dir, "distill", rate)
if not s then fail ("create_session") end

local instrument = ARDOUR.LuaAPI.new_plugin_info (class_id, ARDOUR.PluginType.VST3)
if instrument:isnil () then fail ("plugin " .. class_id .. " not in the scan cache") end
local midi1 = ARDOUR.ChanCount (ARDOUR.DataType ("midi"), 1)
local function new_track (name, output, plugin)
  local list = s:new_midi_track (midi1, output, false, plugin, nil, nil, 1, name,
                                 ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
  for t in list:iter () do return t end
  fail ("new_midi_track " .. name)
end
local track = new_track ("Distill", ARDOUR.ChanCount (ARDOUR.DataType ("audio"), 2), instrument)
local feeder = new_track ("Feeder", midi1, ARDOUR.PluginInfo ())
local proc = track:nth_plugin (0)
if proc:isnil () then fail ("no plugin on the track") end
print ("plugin", proc:display_name ())

-- The feeder's output is the instrument track's only input.
track:input ():disconnect_all (nil)
feeder:output ():disconnect_all (nil)
if not feeder:output ():nth (0):connect (track:input ():nth (0):name ()) then fail ("connect feeder") end
feeder:monitoring_control ():set_value (ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)

local parser = ARDOUR.RawMidiParser ()
local function send (bytes)
  for _, b in ipairs (bytes) do
    if parser:process_byte (b) then
      feeder:write_immediate_event (Evoral.EventType.MIDI_EVENT, parser:buffer_size (), parser:midi_buffer ())
    end
  end
end

-- Record a rough region as long as the performance: arm, roll, note on, wait, note off, stop.
track:rec_enable_control ():set_value (1, PBD.GroupControlDisposition.NoGroup)
s:maybe_enable_record (false)
s:request_roll (ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep (300000)
send ({ 0x90, 60, 100 })
ARDOUR.LuaAPI.usleep (math.floor (seconds * 1e6))
send ({ 0x80, 60, 0 })
ARDOUR.LuaAPI.usleep (300000)
s:request_stop (false, false, ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep (500000)
track:rec_enable_control ():set_value (0, PBD.GroupControlDisposition.NoGroup)
s:disable_record (false, false)

local region
for r in track:playlist ():region_list ():iter () do region = r:to_midiregion () end
if region == nil or region:isnil () then fail ("nothing recorded") end
print ("recorded region", region:position ():samples (), region:length ():samples ())

-- Rewrite the notes exactly, in beats from the region start.
local tm = Temporal.TempoMap.read ()
local start = region:position ():samples ()
local function beats (t) return tm:quarters_at_sample (start + math.floor (t * rate + 0.5)) - tm:quarters_at_sample (start) end
local model = region:midi_source (0):model ()
local diff = model:new_note_diff_command ("exact notes")
for note in ARDOUR.LuaAPI.note_list (model):iter () do diff:remove (note) end
for _, n in ipairs (notes) do
  local on = beats (n.start)
  diff:add (ARDOUR.LuaAPI.new_noteptr (0, on, beats (n.start + n.length) - on, n.key, n.velocity))
end
model:apply_command (s, diff)

-- Automation: a step at every point, per control input.
local lists = {}
for _, p in ipairs (points) do
  if not lists[p.param] then
    local al, cl, pd = ARDOUR.LuaAPI.plugin_automation (proc, p.param)
    if al:isnil () then fail ("no automation list for control " .. p.param) end
    cl:clear_list ()
    lists[p.param] = { cl = cl, pd = pd, last = nil }
  end
  local l = lists[p.param]
  local value = l.pd.lower + p.fraction * (l.pd.upper - l.pd.lower)
  local at = start + math.floor (p.time * rate + 0.5)
  if l.last ~= nil then l.cl:add (Temporal.timepos_t (at - math.floor (rate / 1000)), l.last, false, false) end
  l.cl:add (Temporal.timepos_t (at), value, false, false)
  l.last = value
end
for param, l in pairs (lists) do
  l.cl:add (Temporal.timepos_t (start + math.floor ((seconds + 1) * rate)), l.last, false, false)
  local control = proc:to_automatable ():automation_control (Evoral.Parameter (ARDOUR.AutomationType.PluginAutomation, 0, param), false)
  if control:isnil () then fail ("no automation control " .. param) end
  control:set_automation_state (ARDOUR.AutoState.Play)
end

-- Export as 32-bit float WAV at the session rate, undithered: a preset of ours over Ardour's own float format.
local function write_float_preset ()
  local folder = os.getenv ("XDG_CONFIG_HOME") .. "/ardour7/export"
  os.execute ("mkdir -p '" .. folder .. "'")
  local f = io.open (folder .. "/distill-float.preset", "w")
  f:write ([[<?xml version="1.0" encoding="UTF-8"?>
<ExportPreset id="9c2d3b57-2f0e-4a8e-b1d4-6f1e0d7c5a31" name="Distill float WAV">
  <ExportFormat id="20b4ab09-6452-4cb3-bd66-b921cdbd2942"/>
  <ExportFilename>
    <Folder relative="1" path="export"/>
    <Field name="timespan" enabled="1"/>
  </ExportFilename>
</ExportPreset>
]])
  f:close ()
end

if mode == "export" then
  write_float_preset ()
  local export = s:simple_export ()
  export:set_range (start, start + math.floor (seconds * rate))
  export:set_name ("distill")
  export:set_folder (out_dir)
  if not export:set_preset ("9c2d3b57-2f0e-4a8e-b1d4-6f1e0d7c5a31") then fail ("export preset") end
  if not export:run_export () then fail ("export") end
else
  -- A fresh activation, so the plugin's count at deactivation covers exactly this roll.
  proc:deactivate ()
  ARDOUR.LuaAPI.usleep (300000)
  proc:activate ()
  ARDOUR.LuaAPI.usleep (300000)
  s:request_locate (start, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
  ARDOUR.LuaAPI.usleep (500000)
  s:request_roll (ARDOUR.TransportRequestSource.TRS_UI)
  ARDOUR.LuaAPI.usleep (math.floor (seconds * 1e6))
  s:request_stop (false, false, ARDOUR.TransportRequestSource.TRS_UI)
  ARDOUR.LuaAPI.usleep (300000)
  proc:deactivate () -- the plugin writes its underrun count to its log
  ARDOUR.LuaAPI.usleep (200000)
end
print ("DISTILL-DONE", mode, "start", start)
os.exit (0)
