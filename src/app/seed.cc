#include "app/seed.h"

#include <map>
#include <string>
#include <vector>

namespace funkygibbon::app {
namespace {

using E = EntityType;
using R = RelationshipType;

struct SeedEntity {
  const char* key;  // local handle used by the relationship table
  E type;
  const char* name;
  const char* content;  // JSON object text
};

struct SeedEdge {
  const char* from;
  R type;
  const char* to;
};

// clang-format off
const SeedEntity kEntities[] = {
  {"home", E::kHome, "Maple House", R"({"address":"12 Maple Lane","timezone":"Europe/London","floors":3,"built":1998})"},
  {"ground", E::kZone, "Ground Floor", R"({"level":0})"},
  {"first", E::kZone, "First Floor", R"({"level":1})"},
  {"basement", E::kZone, "Basement", R"({"level":-1})"},
  {"outdoor", E::kZone, "Garden and Outside", R"({"level":0,"outdoor":true})"},
  // Rooms
  {"hall", E::kRoom, "Entrance Hall", R"({"area_m2":9})"},
  {"living", E::kRoom, "Living Room", R"({"area_m2":28,"fireplace":true})"},
  {"kitchen", E::kRoom, "Kitchen", R"({"area_m2":18,"appliances":["oven","dishwasher","fridge"]})"},
  {"dining", E::kRoom, "Dining Room", R"({"area_m2":15})"},
  {"utility", E::kRoom, "Utility Room", R"({"area_m2":6})"},
  {"wc", E::kRoom, "Downstairs WC", R"({"area_m2":3})"},
  {"study", E::kRoom, "Study", R"({"area_m2":10})"},
  {"landing", E::kRoom, "Landing", R"({"area_m2":7})"},
  {"master", E::kRoom, "Master Bedroom", R"({"area_m2":20,"ensuite":true})"},
  {"ensuite", E::kRoom, "Ensuite Bathroom", R"({"area_m2":5})"},
  {"bed2", E::kRoom, "Kids Bedroom", R"({"area_m2":12})"},
  {"bed3", E::kRoom, "Guest Bedroom", R"({"area_m2":11})"},
  {"bathroom", E::kRoom, "Family Bathroom", R"({"area_m2":7})"},
  {"plant", E::kRoom, "Plant Room", R"({"area_m2":12})"},
  {"cinema", E::kRoom, "Basement Cinema", R"({"area_m2":22})"},
  {"garage", E::kRoom, "Garage", R"({"area_m2":25})"},
  {"garden", E::kRoom, "Back Garden", R"({"area_m2":120,"outdoor":true})"},
  // Doors
  {"d_front", E::kDoor, "Front Door", R"({"material":"oak","lock":"smart"})"},
  {"d_hall_living", E::kDoor, "Living Room Door", R"({"material":"glass panel"})"},
  {"d_hall_kitchen", E::kDoor, "Kitchen Door", R"({})"},
  {"d_kitchen_dining", E::kDoor, "Dining Room Sliding Door", R"({"type":"sliding"})"},
  {"d_kitchen_utility", E::kDoor, "Utility Door", R"({})"},
  {"d_hall_wc", E::kDoor, "WC Door", R"({})"},
  {"d_hall_study", E::kDoor, "Study Door", R"({})"},
  {"d_patio", E::kDoor, "Patio Doors", R"({"type":"bifold","lock":"multipoint"})"},
  {"d_garage", E::kDoor, "Garage Internal Door", R"({"fire_rated":true})"},
  {"d_master", E::kDoor, "Master Bedroom Door", R"({})"},
  {"d_ensuite", E::kDoor, "Ensuite Door", R"({"type":"pocket"})"},
  {"d_bed2", E::kDoor, "Kids Bedroom Door", R"({})"},
  {"d_bed3", E::kDoor, "Guest Bedroom Door", R"({})"},
  {"d_bath", E::kDoor, "Bathroom Door", R"({})"},
  {"d_cellar", E::kDoor, "Cellar Door", R"({})"},
  {"d_cinema", E::kDoor, "Cinema Door", R"({"acoustic":true})"},
  // Windows
  {"w_living_bay", E::kWindow, "Living Room Bay Window", R"({"glazing":"double","opens":true})"},
  {"w_kitchen", E::kWindow, "Kitchen Window", R"({"glazing":"double","opens":true})"},
  {"w_master", E::kWindow, "Master Bedroom Window", R"({"glazing":"triple","opens":true})"},
  {"w_bed2", E::kWindow, "Kids Bedroom Window", R"({"glazing":"double","child_lock":true})"},
  {"w_skylight", E::kWindow, "Landing Skylight", R"({"motorised":true,"rain_sensor":true})"},
  // Devices
  {"hub", E::kDevice, "Home Hub", R"({"manufacturer":"Apple","model":"HomePod mini","role":"home hub","protocols":["thread","wifi"]})"},
  {"router", E::kDevice, "Wi-Fi Router", R"({"manufacturer":"Ubiquiti","model":"UniFi Dream Router","ip":"192.168.1.1"})"},
  {"mesh1", E::kDevice, "Upstairs Mesh Point", R"({"manufacturer":"Ubiquiti","model":"U6 Lite"})"},
  {"thermostat", E::kDevice, "Hallway Thermostat", R"({"manufacturer":"Ecobee","model":"Premium","setpoint_c":20.5,"capabilities":["heat","cool","schedule"]})"},
  {"boiler", E::kDevice, "Combi Boiler", R"({"manufacturer":"Worcester Bosch","model":"Greenstar 30i","fuel":"gas","service_interval_months":12})"},
  {"heatpump", E::kDevice, "Air Source Heat Pump", R"({"manufacturer":"Daikin","model":"Altherma 3","power_kw":8})"},
  {"water_heater", E::kDevice, "Hot Water Cylinder", R"({"manufacturer":"Megaflo","capacity_l":210})"},
  {"lock_front", E::kDevice, "Front Door Smart Lock", R"({"manufacturer":"Yale","model":"Linus","battery":"4xAA","controls":["lock","unlock"]})"},
  {"doorbell", E::kDevice, "Video Doorbell", R"({"manufacturer":"Ring","model":"Pro 2","resolution":"1536p"})"},
  {"cam_garden", E::kDevice, "Garden Camera", R"({"manufacturer":"Eufy","model":"SoloCam S340","night_vision":true})"},
  {"cam_garage", E::kDevice, "Garage Camera", R"({"manufacturer":"Eufy","model":"Indoor Cam 2K"})"},
  {"smoke_hall", E::kDevice, "Hall Smoke Alarm", R"({"manufacturer":"Nest","model":"Protect","sensors":["smoke","co"]})"},
  {"smoke_landing", E::kDevice, "Landing Smoke Alarm", R"({"manufacturer":"Nest","model":"Protect","sensors":["smoke","co"]})"},
  {"smoke_kitchen", E::kDevice, "Kitchen Heat Alarm", R"({"manufacturer":"Aico","model":"Ei603","sensors":["heat"]})"},
  {"motion_hall", E::kDevice, "Hall Motion Sensor", R"({"manufacturer":"Aqara","model":"P1","battery":"CR2450"})"},
  {"motion_landing", E::kDevice, "Landing Motion Sensor", R"({"manufacturer":"Aqara","model":"P1"})"},
  {"contact_patio", E::kDevice, "Patio Door Contact Sensor", R"({"manufacturer":"Aqara","model":"Door and Window Sensor"})"},
  {"leak_utility", E::kDevice, "Utility Leak Sensor", R"({"manufacturer":"Aqara","model":"Water Leak Sensor"})"},
  {"leak_plant", E::kDevice, "Plant Room Leak Sensor", R"({"manufacturer":"Aqara","model":"Water Leak Sensor"})"},
  {"temp_bed2", E::kDevice, "Kids Bedroom Temperature Sensor", R"({"manufacturer":"Eve","model":"Room","sensors":["temperature","humidity","voc"]})"},
  {"light_hall", E::kDevice, "Hall Ceiling Light", R"({"manufacturer":"Philips","model":"Hue White Ambiance","brightness":80})"},
  {"light_living", E::kDevice, "Living Room Pendant", R"({"manufacturer":"Philips","model":"Hue Color","brightness":60})"},
  {"lamp_living", E::kDevice, "Living Room Floor Lamp", R"({"manufacturer":"IKEA","model":"Tradfri bulb E27","brightness":40})"},
  {"light_kitchen", E::kDevice, "Kitchen Spotlights", R"({"manufacturer":"Lutron","model":"Caseta dimmer","brightness":100})"},
  {"strip_kitchen", E::kDevice, "Under-cabinet LED Strip", R"({"manufacturer":"Philips","model":"Hue Lightstrip"})"},
  {"light_dining", E::kDevice, "Dining Chandelier", R"({"manufacturer":"Lutron","model":"Caseta dimmer"})"},
  {"light_master", E::kDevice, "Master Bedroom Lights", R"({"manufacturer":"Philips","model":"Hue White Ambiance"})"},
  {"light_landing", E::kDevice, "Landing Night Light", R"({"manufacturer":"Philips","model":"Hue Go"})"},
  {"light_garden", E::kDevice, "Garden Festoon Lights", R"({"manufacturer":"Meross","model":"Outdoor Smart Plug"})"},
  {"light_cinema", E::kDevice, "Cinema Star Ceiling", R"({"manufacturer":"Nanoleaf","model":"Lines"})"},
  {"switch_hall", E::kDevice, "Hall Scene Switch", R"({"manufacturer":"Philips","model":"Hue Dimmer Switch","controls":["on","off","dim"]})"},
  {"blinds_living", E::kDevice, "Living Room Blinds", R"({"manufacturer":"IKEA","model":"Fyrtur","controls":["open","close","position"]})"},
  {"blinds_master", E::kDevice, "Master Bedroom Blinds", R"({"manufacturer":"Somfy","model":"Sonesse 30"})"},
  {"tv", E::kDevice, "Living Room TV", R"({"manufacturer":"LG","model":"OLED C3 65","inputs":["hdmi1","hdmi2","apple tv"]})"},
  {"appletv", E::kDevice, "Apple TV", R"({"manufacturer":"Apple","model":"Apple TV 4K"})"},
  {"speaker_kitchen", E::kDevice, "Kitchen Speaker", R"({"manufacturer":"Sonos","model":"Era 100"})"},
  {"projector", E::kDevice, "Cinema Projector", R"({"manufacturer":"Epson","model":"EH-LS12000","lamp_hours":1200})"},
  {"soundbar", E::kDevice, "Cinema Soundbar", R"({"manufacturer":"Sonos","model":"Arc"})"},
  {"fridge", E::kDevice, "Fridge Freezer", R"({"manufacturer":"Samsung","model":"RF65","energy_class":"E"})"},
  {"oven", E::kDevice, "Oven", R"({"manufacturer":"Neff","model":"Slide and Hide B57CR23N0B"})"},
  {"dishwasher", E::kDevice, "Dishwasher", R"({"manufacturer":"Bosch","model":"Serie 6 SMV6ZCX01G","program":"eco"})"},
  {"washer", E::kDevice, "Washing Machine", R"({"manufacturer":"Miele","model":"WWD120","capacity_kg":9})"},
  {"dryer", E::kDevice, "Tumble Dryer", R"({"manufacturer":"Miele","model":"TWD360","type":"heat pump"})"},
  {"water_valve", E::kDevice, "Main Water Shut-off Valve", R"({"manufacturer":"Grohe","model":"Sense Guard","controls":["open","close"]})"},
  {"charger", E::kDevice, "EV Charger", R"({"manufacturer":"Ohme","model":"Home Pro","power_kw":7.4})"},
  {"garage_opener", E::kDevice, "Garage Door Opener", R"({"manufacturer":"Meross","model":"MSG100","controls":["open","close"]})"},
  {"solar_inverter", E::kDevice, "Solar Inverter", R"({"manufacturer":"SolarEdge","model":"SE5000H","panels":12,"peak_kw":4.8})"},
  {"battery", E::kDevice, "Home Battery", R"({"manufacturer":"Tesla","model":"Powerwall 2","capacity_kwh":13.5})"},
  {"irrigation", E::kDevice, "Garden Irrigation Controller", R"({"manufacturer":"Rachio","model":"3","zones":4})"},
  {"skylight_motor", E::kDevice, "Skylight Motor", R"({"manufacturer":"Velux","model":"KMX 100","controls":["open","close"]})"},
  {"purifier", E::kDevice, "Bedroom Air Purifier", R"({"manufacturer":"Dyson","model":"Purifier Cool"})"},
  // Apps
  {"app_home", E::kApp, "Apple Home", R"({"platform":"iOS"})"},
  {"app_hue", E::kApp, "Philips Hue App", R"({"platform":"iOS"})"},
  {"app_ecobee", E::kApp, "Ecobee App", R"({"platform":"iOS"})"},
  {"app_solar", E::kApp, "SolarEdge Monitoring", R"({"platform":"web"})"},
  // Manuals
  {"m_boiler", E::kManual, "Greenstar 30i Installation and Service Manual", R"({"pages":64,"format":"pdf","topics":["pressure","reset","service"]})"},
  {"m_thermostat", E::kManual, "Ecobee Premium User Guide", R"({"pages":24,"format":"pdf"})"},
  {"m_lock", E::kManual, "Yale Linus Smart Lock Manual", R"({"pages":16,"format":"pdf","topics":["batteries","pairing","auto-lock"]})"},
  {"m_dishwasher", E::kManual, "Bosch Serie 6 Dishwasher Instructions", R"({"pages":48,"format":"pdf","topics":["filter","salt","error codes"]})"},
  {"m_washer", E::kManual, "Miele WWD120 Operating Instructions", R"({"pages":56,"format":"pdf"})"},
  {"m_heatpump", E::kManual, "Daikin Altherma 3 User Reference Guide", R"({"pages":80,"format":"pdf"})"},
  {"m_projector", E::kManual, "Epson EH-LS12000 User Guide", R"({"pages":120,"format":"pdf"})"},
  {"m_valve", E::kManual, "Grohe Sense Guard Manual", R"({"pages":20,"format":"pdf"})"},
  // Procedures
  {"p_boiler_pressure", E::kProcedure, "Repressurise the boiler", R"({"steps":["Check the gauge reads below 1 bar","Open both filling loop valves slowly","Close them at 1.5 bar","Reset the boiler"],"duration_min":10})"},
  {"p_boiler_reset", E::kProcedure, "Reset the boiler after a lockout", R"({"steps":["Note the fault code","Press and hold reset for 5 seconds","Call the engineer if it locks out again"]})"},
  {"p_lock_batteries", E::kProcedure, "Change the smart lock batteries", R"({"steps":["Open the inside cover","Replace 4 AA batteries","Test lock and unlock from the app"],"interval_months":6})"},
  {"p_dishwasher_filter", E::kProcedure, "Clean the dishwasher filter", R"({"steps":["Twist the filter out","Rinse under the tap","Refit until it clicks"],"interval_weeks":4})"},
  {"p_water_off", E::kProcedure, "Turn off the water in an emergency", R"({"steps":["Close the Sense Guard valve from the app","Or turn the stopcock under the kitchen sink clockwise"]})"},
  {"p_heatpump_defrost", E::kProcedure, "Check the heat pump after a defrost alarm", R"({"steps":["Clear snow and leaves from the fan","Check the condensate drain"]})"},
  {"p_projector_filter", E::kProcedure, "Clean the projector air filter", R"({"interval_hours":2000})"},
  // Notes
  {"n_wifi", E::kNote, "Guest Wi-Fi details", R"({"ssid":"MapleGuest","text":"Password is on the fridge card"})"},
  {"n_alarm", E::kNote, "Smoke alarm test log", R"({"text":"Tested all alarms on the first Sunday of the month"})"},
  {"n_stopcock", E::kNote, "Stopcock location", R"({"text":"The internal stopcock is under the kitchen sink, behind the bin"})"},
  // Schedules
  {"s_heating", E::kSchedule, "Weekday heating schedule", R"({"days":["mon","tue","wed","thu","fri"],"periods":[{"from":"06:30","to":"08:30","setpoint_c":20},{"from":"17:00","to":"22:00","setpoint_c":21}]})"},
  {"s_irrigation", E::kSchedule, "Summer watering", R"({"months":[5,6,7,8,9],"time":"05:30","duration_min":20})"},
  {"s_bedtime", E::kSchedule, "Kids bedtime", R"({"time":"19:30","days":["sun","mon","tue","wed","thu"]})"},
  // Automations
  {"a_arrive", E::kAutomation, "Welcome home", R"({"trigger":"front door unlocked after sunset","actions":["hall light on 80%","living room lamp on"]})"},
  {"a_leave", E::kAutomation, "Leaving home", R"({"trigger":"last person leaves","actions":["lock front door","lights off","thermostat eco"]})"},
  {"a_leak", E::kAutomation, "Leak shut-off", R"({"trigger":"any leak sensor wet","actions":["close main water valve","notify everyone"]})"},
  {"a_night", E::kAutomation, "Night path lighting", R"({"trigger":"landing motion between 23:00 and 06:00","actions":["landing night light 10%"]})"},
  {"a_movie", E::kAutomation, "Movie time", R"({"trigger":"projector on","actions":["cinema star ceiling dim","soundbar on"]})"},
  {"a_solar", E::kAutomation, "Charge car on solar surplus", R"({"trigger":"export above 3 kW for 10 minutes","actions":["start EV charger"]})"},
  {"a_bedtime", E::kAutomation, "Kids bedtime routine", R"({"actions":["close kids blinds","purifier night mode","landing light 20%"]})"},
  {"a_rain", E::kAutomation, "Close skylight when it rains", R"({"trigger":"rain sensor wet","actions":["close skylight"]})"},
};

const SeedEdge kEdges[] = {
  // Floors and rooms
  {"ground", R::kPartOf, "home"}, {"first", R::kPartOf, "home"}, {"basement", R::kPartOf, "home"},
  {"outdoor", R::kPartOf, "home"},
  {"hall", R::kLocatedIn, "ground"}, {"living", R::kLocatedIn, "ground"}, {"kitchen", R::kLocatedIn, "ground"},
  {"dining", R::kLocatedIn, "ground"}, {"utility", R::kLocatedIn, "ground"}, {"wc", R::kLocatedIn, "ground"},
  {"study", R::kLocatedIn, "ground"}, {"garage", R::kLocatedIn, "ground"},
  {"landing", R::kLocatedIn, "first"}, {"master", R::kLocatedIn, "first"}, {"ensuite", R::kLocatedIn, "first"},
  {"bed2", R::kLocatedIn, "first"}, {"bed3", R::kLocatedIn, "first"}, {"bathroom", R::kLocatedIn, "first"},
  {"plant", R::kLocatedIn, "basement"}, {"cinema", R::kLocatedIn, "basement"}, {"garden", R::kLocatedIn, "outdoor"},
  {"ground", R::kConnectsTo, "first"}, {"ground", R::kConnectsTo, "basement"},
  // Rooms joined through doors (room connects_to door connects_to room)
  {"garden", R::kConnectsTo, "d_front"}, {"d_front", R::kConnectsTo, "hall"},
  {"hall", R::kConnectsTo, "d_hall_living"}, {"d_hall_living", R::kConnectsTo, "living"},
  {"hall", R::kConnectsTo, "d_hall_kitchen"}, {"d_hall_kitchen", R::kConnectsTo, "kitchen"},
  {"kitchen", R::kConnectsTo, "d_kitchen_dining"}, {"d_kitchen_dining", R::kConnectsTo, "dining"},
  {"kitchen", R::kConnectsTo, "d_kitchen_utility"}, {"d_kitchen_utility", R::kConnectsTo, "utility"},
  {"hall", R::kConnectsTo, "d_hall_wc"}, {"d_hall_wc", R::kConnectsTo, "wc"},
  {"hall", R::kConnectsTo, "d_hall_study"}, {"d_hall_study", R::kConnectsTo, "study"},
  {"living", R::kConnectsTo, "d_patio"}, {"d_patio", R::kConnectsTo, "garden"},
  {"utility", R::kConnectsTo, "d_garage"}, {"d_garage", R::kConnectsTo, "garage"},
  {"landing", R::kConnectsTo, "d_master"}, {"d_master", R::kConnectsTo, "master"},
  {"master", R::kConnectsTo, "d_ensuite"}, {"d_ensuite", R::kConnectsTo, "ensuite"},
  {"landing", R::kConnectsTo, "d_bed2"}, {"d_bed2", R::kConnectsTo, "bed2"},
  {"landing", R::kConnectsTo, "d_bed3"}, {"d_bed3", R::kConnectsTo, "bed3"},
  {"landing", R::kConnectsTo, "d_bath"}, {"d_bath", R::kConnectsTo, "bathroom"},
  {"hall", R::kConnectsTo, "d_cellar"}, {"d_cellar", R::kConnectsTo, "plant"},
  {"plant", R::kConnectsTo, "d_cinema"}, {"d_cinema", R::kConnectsTo, "cinema"},
  {"hall", R::kConnectsTo, "landing"},  // the stairs
  {"kitchen", R::kConnectsTo, "dining"},  // open-plan serving hatch
  // Windows
  {"w_living_bay", R::kLocatedIn, "living"}, {"w_kitchen", R::kLocatedIn, "kitchen"},
  {"w_master", R::kLocatedIn, "master"}, {"w_bed2", R::kLocatedIn, "bed2"}, {"w_skylight", R::kLocatedIn, "landing"},
  {"kitchen", R::kConnectsTo, "w_kitchen"}, {"w_kitchen", R::kConnectsTo, "garden"},
  // Devices in rooms
  {"hub", R::kLocatedIn, "living"}, {"router", R::kLocatedIn, "study"}, {"mesh1", R::kLocatedIn, "landing"},
  {"thermostat", R::kLocatedIn, "hall"}, {"boiler", R::kLocatedIn, "utility"}, {"heatpump", R::kLocatedIn, "garden"},
  {"water_heater", R::kLocatedIn, "plant"}, {"lock_front", R::kLocatedIn, "hall"}, {"doorbell", R::kLocatedIn, "hall"},
  {"cam_garden", R::kLocatedIn, "garden"}, {"cam_garage", R::kLocatedIn, "garage"},
  {"smoke_hall", R::kLocatedIn, "hall"}, {"smoke_landing", R::kLocatedIn, "landing"}, {"smoke_kitchen", R::kLocatedIn, "kitchen"},
  {"motion_hall", R::kLocatedIn, "hall"}, {"motion_landing", R::kLocatedIn, "landing"},
  {"contact_patio", R::kLocatedIn, "living"}, {"leak_utility", R::kLocatedIn, "utility"}, {"leak_plant", R::kLocatedIn, "plant"},
  {"temp_bed2", R::kLocatedIn, "bed2"},
  {"light_hall", R::kLocatedIn, "hall"}, {"light_living", R::kLocatedIn, "living"}, {"lamp_living", R::kLocatedIn, "living"},
  {"light_kitchen", R::kLocatedIn, "kitchen"}, {"strip_kitchen", R::kPartOf, "light_kitchen"},
  {"light_dining", R::kLocatedIn, "dining"}, {"light_master", R::kLocatedIn, "master"}, {"light_landing", R::kLocatedIn, "landing"},
  {"light_garden", R::kLocatedIn, "garden"}, {"light_cinema", R::kLocatedIn, "cinema"}, {"switch_hall", R::kLocatedIn, "hall"},
  {"blinds_living", R::kLocatedIn, "living"}, {"blinds_master", R::kLocatedIn, "master"},
  {"tv", R::kLocatedIn, "living"}, {"appletv", R::kContainedIn, "living"}, {"speaker_kitchen", R::kLocatedIn, "kitchen"},
  {"projector", R::kLocatedIn, "cinema"}, {"soundbar", R::kLocatedIn, "cinema"},
  {"fridge", R::kLocatedIn, "kitchen"}, {"oven", R::kLocatedIn, "kitchen"}, {"dishwasher", R::kLocatedIn, "kitchen"},
  {"washer", R::kLocatedIn, "utility"}, {"dryer", R::kLocatedIn, "utility"}, {"water_valve", R::kLocatedIn, "kitchen"},
  {"charger", R::kLocatedIn, "garage"}, {"garage_opener", R::kLocatedIn, "garage"}, {"solar_inverter", R::kLocatedIn, "garage"},
  {"battery", R::kLocatedIn, "garage"}, {"irrigation", R::kLocatedIn, "garden"}, {"skylight_motor", R::kPartOf, "w_skylight"},
  {"purifier", R::kLocatedIn, "bed2"},
  // Control and monitoring
  {"switch_hall", R::kControls, "light_hall"}, {"switch_hall", R::kControls, "light_landing"},
  {"thermostat", R::kControls, "boiler"}, {"thermostat", R::kControls, "heatpump"}, {"boiler", R::kControls, "water_heater"},
  {"lock_front", R::kControls, "d_front"}, {"skylight_motor", R::kControls, "w_skylight"}, {"appletv", R::kControls, "tv"}, {"projector", R::kConnectsTo, "soundbar"},
  {"hub", R::kManages, "lock_front"}, {"hub", R::kManages, "thermostat"}, {"hub", R::kManages, "a_arrive"},
  {"router", R::kConnectsTo, "mesh1"}, {"router", R::kConnectsTo, "hub"},
  {"solar_inverter", R::kConnectsTo, "battery"}, {"charger", R::kDependsOn, "solar_inverter"},
  {"motion_hall", R::kMonitors, "hall"}, {"motion_landing", R::kMonitors, "landing"},
  {"contact_patio", R::kMonitors, "d_patio"}, {"leak_utility", R::kMonitors, "utility"}, {"leak_plant", R::kMonitors, "plant"},
  {"temp_bed2", R::kMonitors, "bed2"}, {"cam_garden", R::kMonitors, "garden"}, {"doorbell", R::kMonitors, "d_front"},
  {"smoke_hall", R::kMonitors, "hall"}, {"smoke_landing", R::kMonitors, "landing"}, {"smoke_kitchen", R::kMonitors, "kitchen"},
  // Apps
  {"light_living", R::kControlledByApp, "app_hue"}, {"light_hall", R::kControlledByApp, "app_hue"},
  {"light_master", R::kControlledByApp, "app_hue"}, {"strip_kitchen", R::kControlledByApp, "app_hue"},
  {"thermostat", R::kControlledByApp, "app_ecobee"}, {"lock_front", R::kControlledByApp, "app_home"},
  {"blinds_living", R::kControlledByApp, "app_home"}, {"garage_opener", R::kControlledByApp, "app_home"},
  {"app_solar", R::kMonitors, "solar_inverter"}, {"app_home", R::kManages, "a_leave"},
  // Documentation
  {"boiler", R::kDocumentedBy, "m_boiler"}, {"thermostat", R::kDocumentedBy, "m_thermostat"},
  {"lock_front", R::kDocumentedBy, "m_lock"}, {"dishwasher", R::kDocumentedBy, "m_dishwasher"},
  {"washer", R::kDocumentedBy, "m_washer"}, {"heatpump", R::kDocumentedBy, "m_heatpump"},
  {"projector", R::kDocumentedBy, "m_projector"}, {"water_valve", R::kDocumentedBy, "m_valve"},
  {"water_valve", R::kDocumentedBy, "n_stopcock"}, {"router", R::kDocumentedBy, "n_wifi"},
  {"smoke_hall", R::kDocumentedBy, "n_alarm"}, {"smoke_landing", R::kDocumentedBy, "n_alarm"},
  {"p_boiler_pressure", R::kProcedureFor, "boiler"}, {"p_boiler_reset", R::kProcedureFor, "boiler"},
  {"p_boiler_pressure", R::kPartOf, "p_boiler_reset"},
  {"p_lock_batteries", R::kProcedureFor, "lock_front"}, {"p_dishwasher_filter", R::kProcedureFor, "dishwasher"},
  {"p_water_off", R::kProcedureFor, "water_valve"}, {"p_water_off", R::kProcedureFor, "home"},
  {"p_heatpump_defrost", R::kProcedureFor, "heatpump"}, {"p_projector_filter", R::kProcedureFor, "projector"},
  {"m_boiler", R::kLocatedIn, "utility"},
  // Schedules and automations
  {"s_heating", R::kAutomates, "thermostat"}, {"s_irrigation", R::kAutomates, "irrigation"},
  {"a_bedtime", R::kTriggeredBy, "s_bedtime"},
  {"a_arrive", R::kTriggeredBy, "lock_front"}, {"a_arrive", R::kAutomates, "light_hall"}, {"a_arrive", R::kAutomates, "lamp_living"},
  {"a_leave", R::kAutomates, "lock_front"}, {"a_leave", R::kAutomates, "thermostat"}, {"a_leave", R::kAutomates, "home"},
  {"a_leak", R::kTriggeredBy, "leak_utility"}, {"a_leak", R::kTriggeredBy, "leak_plant"}, {"a_leak", R::kControls, "water_valve"},
  {"a_night", R::kTriggeredBy, "motion_landing"}, {"a_night", R::kAutomates, "light_landing"},
  {"a_movie", R::kTriggeredBy, "projector"}, {"a_movie", R::kAutomates, "light_cinema"}, {"a_movie", R::kAutomates, "soundbar"},
  {"a_solar", R::kTriggeredBy, "solar_inverter"}, {"a_solar", R::kControls, "charger"}, {"a_solar", R::kDependsOn, "a_leave"},
  {"a_bedtime", R::kAutomates, "blinds_master"}, {"a_bedtime", R::kAutomates, "purifier"}, {"a_bedtime", R::kAutomates, "bed2"},
  {"a_rain", R::kTriggeredBy, "w_skylight"}, {"a_rain", R::kControls, "skylight_motor"},
};
// clang-format on

}  // namespace

StatusOr<SeedResult> SeedExampleHome(graph::KnowledgeGraph& kg) {
  auto lock = kg.LockWriter();
  if (kg.Read([](const graph::GraphIndex& g) { return g.entity_count(); }) > 0) {
    return Status::FailedPrecondition(
        "the database already holds entities; seed only an empty database (use --db with a new path)");
  }
  const std::string user = "seed";
  store::WriteBatch batch;
  std::map<std::string, const Entity*> by_key;
  batch.entities.reserve(std::size(kEntities));
  for (const auto& se : kEntities) {
    Entity e;
    e.id = NewUuid();
    e.version = kg.NextVersion(user);
    e.entity_type = se.type;
    e.name = se.name;
    e.content = Json::parse(se.content, nullptr, /*allow_exceptions=*/false);
    if (!e.content.is_object()) {
      return Status::Internal(std::string("seed: bad content for ") + se.key);
    }
    e.source_type = SourceType::kGenerated;
    e.user_id = user;
    e.created_at = e.version.substr(0, 32);
    e.updated_at = e.created_at;
    batch.entities.push_back({std::move(e), true});
  }
  for (size_t i = 0; i < std::size(kEntities); ++i) {
    if (!by_key.emplace(kEntities[i].key, &batch.entities[i].entity).second) {
      return Status::Internal(std::string("seed: duplicate key ") + kEntities[i].key);
    }
  }
  for (const auto& se : kEdges) {
    auto f = by_key.find(se.from), t = by_key.find(se.to);
    if (f == by_key.end() || t == by_key.end()) {
      return Status::Internal(std::string("seed: unknown key in edge ") + se.from + " -> " + se.to);
    }
    const Entity& from = *f->second;
    const Entity& to = *t->second;
    if (!IsAllowedPair(se.type, from.entity_type, to.entity_type)) {
      return Status::Internal(std::string("seed: ") + std::string(ToString(se.type)) +
                              " not allowed from " + se.from + " to " + se.to);
    }
    Relationship r;
    r.id = NewUuid();
    r.from_entity_id = from.id;
    r.from_entity_version = from.version;
    r.to_entity_id = to.id;
    r.to_entity_version = to.version;
    r.relationship_type = se.type;
    r.user_id = user;
    r.created_at = from.created_at;
    r.updated_at = r.created_at;
    batch.relationships.push_back(std::move(r));
  }
  RETURN_IF_ERROR(kg.CommitBatchLocked(batch).status());
  return SeedResult{batch.entities.size(), batch.relationships.size()};
}

}  // namespace funkygibbon::app
