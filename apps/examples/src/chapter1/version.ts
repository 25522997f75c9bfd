/**
 * version — Guide chapter 1, "Version Reporting": prints which ZeroMQ version you are running. zmq-ts reports
 * the libzmq release whose behaviour it matches, through zhelpers' s_version().
 */
import { s_version } from "@zmq-ts/zhelpers"

const [major, minor, patch] = s_version()
console.log(`Current 0MQ version is ${major}.${minor}.${patch}`)
